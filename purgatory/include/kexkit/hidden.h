// Force-included into every purgatory translation unit (-include): every symbol,
// defined or only declared, is hidden, so the compiler emits direct PC-relative
// references and never a GOT access, which a bare-metal blob has no GOT for.
#pragma GCC visibility push(hidden)
