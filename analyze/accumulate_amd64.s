//go:build amd64 && !purego

#include "textflag.h"

// func accumulateKernel(o *float32, w *uint16, labels, rows int, idx *uint32, val *float32, n int, base, mask uint32, scale float32) int
TEXT ·accumulateKernel(SB), NOSPLIT, $0-80
	MOVQ o+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ labels+16(FP), CX
	MOVQ rows+24(FP), R10
	MOVQ idx+32(FP), R8
	MOVQ val+40(FP), R9
	MOVL base+56(FP), R11
	MOVL mask+60(FP), R12
	MOVSS scale+64(FP), X7
	XORQ BX, BX

loop:
	CMPQ BX, n+48(FP)
	JGE  done

	// Prefetch the row of feature j+8 (its first and last weight).
	LEAQ 8(BX), AX
	CMPQ AX, n+48(FP)
	JGE  row
	MOVL (R8)(AX*4), DX
	ANDL R12, DX
	ADDL R11, DX
	IMULQ CX, DX
	LEAQ (SI)(DX*2), AX
	PREFETCHT0 (AX)
	PREFETCHT0 -2(AX)(CX*2)

row:
	MOVL (R8)(BX*4), DX
	ANDL R12, DX
	ADDL R11, DX
	CMPQ DX, R10
	JAE  done
	IMULQ CX, DX
	LEAQ (SI)(DX*2), AX   // the row
	MOVSS (R9)(BX*4), X0
	MULSS X7, X0          // v = val[j] * scale
	SHUFPS $0, X0, X0
	MOVQ DI, R13
	MOVQ CX, DX

eight:
	CMPQ DX, $8
	JLT  four
	MOVOU (AX), X1
	MOVO X1, X2
	PUNPCKLWL X1, X1
	PSLLL $16, X1         // bfloat16 to float32
	PUNPCKHWL X2, X2
	PSLLL $16, X2
	MULPS X0, X1
	MULPS X0, X2
	MOVUPS (R13), X3
	MOVUPS 16(R13), X4
	ADDPS X1, X3
	ADDPS X2, X4
	MOVUPS X3, (R13)
	MOVUPS X4, 16(R13)
	ADDQ $16, AX
	ADDQ $32, R13
	SUBQ $8, DX
	JMP  eight

four:
	CMPQ DX, $4
	JLT  one
	MOVQ (AX), X1
	PUNPCKLWL X1, X1
	PSLLL $16, X1
	MULPS X0, X1
	MOVUPS (R13), X3
	ADDPS X1, X3
	MOVUPS X3, (R13)
	ADDQ $8, AX
	ADDQ $16, R13
	SUBQ $4, DX

one:
	TESTQ DX, DX
	JEQ   next
	PINSRW $0, (AX), X1
	PUNPCKLWL X1, X1
	PSLLL $16, X1
	MULSS X0, X1
	ADDSS (R13), X1
	MOVSS X1, (R13)
	ADDQ $2, AX
	ADDQ $4, R13
	DECQ DX
	JMP  one

next:
	INCQ BX
	JMP  loop

done:
	MOVQ BX, ret+72(FP)
	RET
