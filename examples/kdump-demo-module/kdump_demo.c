// SPDX-License-Identifier: GPL-2.0
/*
 * kdump_demo: a deliberately buggy module for the kexkit kdump demo.
 *
 * Writing anything to /proc/kdump_demo calls kdump_demo_fault(), which
 * stores through a NULL pointer. With panic_on_oops=1 and a capture kernel
 * loaded (kexkit -p), the oops becomes a panic and the machine boots the
 * capture kernel; crash(8) on the dump shows kdump_demo_fault in `bt`.
 *
 * Never load this on a machine you care about: the trigger kills the kernel.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>

struct kdump_demo_record {
	unsigned long magic;
	unsigned long count;
};

/* Never set: this is the bug the demo is about. */
static struct kdump_demo_record *kdump_demo_record;

/*
 * noinline keeps a frame of its own in the backtrace; the volatile store
 * stops the compiler from proving the NULL dereference away.
 */
static noinline void kdump_demo_fault(void)
{
	pr_emerg("kdump_demo: writing through a NULL pointer\n");
	WRITE_ONCE(kdump_demo_record->count, 0x6b6465);
}

static ssize_t kdump_demo_write(struct file *file, const char __user *buf,
				size_t len, loff_t *pos)
{
	kdump_demo_fault();
	return len;
}

static const struct proc_ops kdump_demo_ops = {
	.proc_write = kdump_demo_write,
};

static int __init kdump_demo_init(void)
{
	if (!proc_create("kdump_demo", 0200, NULL, &kdump_demo_ops))
		return -ENOMEM;
	pr_info("kdump_demo: loaded; write to /proc/kdump_demo to crash the kernel\n");
	return 0;
}

static void __exit kdump_demo_exit(void)
{
	remove_proc_entry("kdump_demo", NULL);
}

module_init(kdump_demo_init);
module_exit(kdump_demo_exit);
MODULE_DESCRIPTION("kexkit demo: NULL pointer dereference on demand");
MODULE_LICENSE("GPL");
