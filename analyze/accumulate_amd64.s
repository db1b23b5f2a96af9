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

// func accumulateRegs(o *[regLabels]float32, w *uint16, stride, rows int, idx *uint32, val *float32, n int, base, mask uint32, scale float32) int
//
// accumulateKernel for rows of at most 24 labels, whose 24 weights (the
// row's and those after it) can be read: the sums stay in six registers
// from the first feature to the last, instead of being loaded and stored
// a feature. Each lane's products and sums are accumulateKernel's.
TEXT ·accumulateRegs(SB), NOSPLIT, $0-80
	MOVQ o+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ stride+16(FP), CX
	MOVQ rows+24(FP), R10
	MOVQ idx+32(FP), R8
	MOVQ val+40(FP), R9
	MOVQ n+48(FP), R13
	MOVL base+56(FP), R11
	MOVL mask+60(FP), R12
	MOVSS scale+64(FP), X7
	MOVUPS 0(DI), X8
	MOVUPS 16(DI), X9
	MOVUPS 32(DI), X10
	MOVUPS 48(DI), X11
	MOVUPS 64(DI), X12
	MOVUPS 80(DI), X13
	XORQ BX, BX

rloop:
	CMPQ BX, R13
	JGE  rdone

	// Prefetch the row of feature j+16 (its first and last weight): this
	// loop is short, and eight ahead left the misses too little time.
	LEAQ 16(BX), AX
	CMPQ AX, R13
	JGE  rrow
	MOVL (R8)(AX*4), DX
	ANDL R12, DX
	ADDL R11, DX
	IMULQ CX, DX
	LEAQ (SI)(DX*2), AX
	PREFETCHT0 (AX)
	PREFETCHT0 46(AX)

rrow:
	MOVL (R8)(BX*4), DX
	ANDL R12, DX
	ADDL R11, DX
	CMPQ DX, R10
	JAE  rdone
	IMULQ CX, DX
	LEAQ (SI)(DX*2), AX   // the row
	MOVSS (R9)(BX*4), X0
	MULSS X7, X0          // v = val[j] * scale
	SHUFPS $0, X0, X0

	MOVOU (AX), X1
	MOVO X1, X2
	PUNPCKLWL X1, X1
	PSLLL $16, X1         // bfloat16 to float32
	PUNPCKHWL X2, X2
	PSLLL $16, X2
	MULPS X0, X1
	MULPS X0, X2
	ADDPS X1, X8
	ADDPS X2, X9

	MOVOU 16(AX), X3
	MOVO X3, X4
	PUNPCKLWL X3, X3
	PSLLL $16, X3
	PUNPCKHWL X4, X4
	PSLLL $16, X4
	MULPS X0, X3
	MULPS X0, X4
	ADDPS X3, X10
	ADDPS X4, X11

	MOVOU 32(AX), X5
	MOVO X5, X6
	PUNPCKLWL X5, X5
	PSLLL $16, X5
	PUNPCKHWL X6, X6
	PSLLL $16, X6
	MULPS X0, X5
	MULPS X0, X6
	ADDPS X5, X12
	ADDPS X6, X13

	INCQ BX
	JMP  rloop

rdone:
	MOVUPS X8, 0(DI)
	MOVUPS X9, 16(DI)
	MOVUPS X10, 32(DI)
	MOVUPS X11, 48(DI)
	MOVUPS X12, 64(DI)
	MOVUPS X13, 80(DI)
	MOVQ BX, ret+72(FP)
	RET
