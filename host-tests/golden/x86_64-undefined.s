# Not linked: a call to a function nothing defines (.rela.text offset 0x1).

	.section .note.GNU-stack,"",@progbits

	.text
	call	missing_function
	ret
