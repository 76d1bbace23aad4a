package lab

import (
	"encoding/binary"
	"math/bits"
)

// gost94 is the GOST R 34.11-94 hash with the CryptoPro parameter set
// (RFC 5831, RFC 4357), the function behind DS digest type 3 (RFC 5933).
// The lab needs it for one DS record only, so it favours brevity over
// speed. Words and blocks are little-endian, as in RFC 5831's examples.
func gost94(msg []byte) [32]byte {
	var h, sum, length [32]byte
	var n uint64 // message length in bits; the lab hashes short inputs
	for len(msg) > 0 {
		var block [32]byte
		k := copy(block[:], msg) // a short last block is padded with zeros
		msg = msg[k:]
		n += uint64(k) * 8
		h = gostStep(h, block)
		gostAdd(&sum, block)
	}
	binary.LittleEndian.PutUint64(length[:8], n)
	h = gostStep(h, length)
	return gostStep(h, sum)
}

// gostSBox is id-GostR3411-94-CryptoProParamSet (RFC 4357 section 11.2).
var gostSBox = [8][16]byte{
	{10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15},
	{5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8},
	{7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13},
	{4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3},
	{7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5},
	{7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3},
	{13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11},
	{1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12},
}

// gostC3 is the constant C3 of the key schedule, least significant byte
// first.
var gostC3 = [32]byte{
	0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00,
	0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0xff,
}

// gostAdd adds block to sum modulo 2^256.
func gostAdd(sum *[32]byte, block [32]byte) {
	var carry uint64
	for i := 0; i < 32; i += 8 {
		var s uint64
		s, carry = bits.Add64(binary.LittleEndian.Uint64(sum[i:]), binary.LittleEndian.Uint64(block[i:]), carry)
		binary.LittleEndian.PutUint64(sum[i:], s)
	}
}

// gostStep is the step function: four GOST 28147-89 encryptions of the
// quarters of h under keys derived from h and m, then the mixing
// transformation.
func gostStep(h, m [32]byte) [32]byte {
	var s [32]byte
	u, v := h, m
	for j := range 4 {
		if j > 0 {
			u = gostA(u)
			if j == 2 {
				u = gostXor(u, gostC3)
			}
			v = gostA(gostA(v))
		}
		gostEncrypt(s[8*j:8*j+8], h[8*j:8*j+8], gostP(gostXor(u, v)))
	}
	for range 12 {
		s = gostPsi(s)
	}
	s = gostPsi(gostXor(s, m))
	h = gostXor(h, s)
	for range 61 {
		h = gostPsi(h)
	}
	return h
}

func gostXor(a, b [32]byte) [32]byte {
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// gostA maps y4||y3||y2||y1 (64-bit words, y1 lowest) to
// (y1 xor y2)||y4||y3||y2.
func gostA(y [32]byte) [32]byte {
	var out [32]byte
	copy(out[:24], y[8:])
	for i := range 8 {
		out[24+i] = y[i] ^ y[8+i]
	}
	return out
}

// gostP is the byte permutation phi(i + 1 + 4(k-1)) = 8i + k.
func gostP(y [32]byte) [32]byte {
	var out [32]byte
	for i := range 4 {
		for k := range 8 {
			out[i+4*k] = y[8*i+k]
		}
	}
	return out
}

// gostPsi maps y16||...||y1 (16-bit words) to
// (y1 xor y2 xor y3 xor y4 xor y13 xor y16)||y16||...||y2.
func gostPsi(y [32]byte) [32]byte {
	var out [32]byte
	copy(out[:30], y[2:])
	for _, w := range []int{0, 1, 2, 3, 12, 15} {
		out[30] ^= y[2*w]
		out[31] ^= y[2*w+1]
	}
	return out
}

// gostEncrypt encrypts one 64-bit block with GOST 28147-89 under key.
func gostEncrypt(dst, src []byte, key [32]byte) {
	var k [8]uint32
	for i := range k {
		k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	n1, n2 := binary.LittleEndian.Uint32(src), binary.LittleEndian.Uint32(src[4:])
	for round := range 32 {
		i := round % 8
		if round >= 24 {
			i = 7 - i
		}
		x := n1 + k[i]
		var y uint32
		for j := range 8 {
			y |= uint32(gostSBox[j][x>>(4*j)&0xf]) << (4 * j)
		}
		n1, n2 = n2^bits.RotateLeft32(y, 11), n1
	}
	binary.LittleEndian.PutUint32(dst, n2)
	binary.LittleEndian.PutUint32(dst[4:], n1)
}
