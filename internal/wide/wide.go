// Package wide adds up 64-bit integers exactly: in 128 bits, which no sum
// of fewer than 2^64 of them leaves, and with checked 64-bit operations
// that report an overflow instead of wrapping around as Go's int64 does.
// Every sum of money or time in crmkit goes through it, so that a total
// that does not fit in 64 bits is either kept exactly or reported, never
// wrapped.
package wide

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// Add returns a + b and whether the sum fits in an int64; when it does
// not, the int64 returned is meaningless.
func Add(a, b int64) (int64, bool) {
	s := a + b
	// Overflow only when both operands have the same sign and the sum's
	// sign differs from theirs.
	return s, (a >= 0) != (b >= 0) || (s >= 0) == (a >= 0)
}

// Sub returns a - b and whether the difference fits in an int64.
func Sub(a, b int64) (int64, bool) {
	d := a - b
	return d, (a >= 0) == (b >= 0) || (d >= 0) == (a >= 0)
}

// Neg returns -a and whether it fits in an int64: it does for every a but
// math.MinInt64.
func Neg(a int64) (int64, bool) { return -a, a != math.MinInt64 }

// Int is an integer of 128 bits in two's complement: Hi·2^64 + Lo. The
// zero value is 0.
type Int struct {
	Hi int64
	Lo uint64
}

// Of returns v as an Int.
func Of(v int64) Int { return Int{Hi: v >> 63, Lo: uint64(v)} }

// Add adds v to x.
func (x *Int) Add(v int64) {
	var carry uint64
	x.Lo, carry = bits.Add64(x.Lo, uint64(v), 0)
	x.Hi += v>>63 + int64(carry)
}

// AddInt adds y to x.
func (x *Int) AddInt(y Int) {
	var carry uint64
	x.Lo, carry = bits.Add64(x.Lo, y.Lo, 0)
	x.Hi += y.Hi + int64(carry)
}

// Neg returns -x.
func (x Int) Neg() Int {
	n := Int{Hi: ^x.Hi, Lo: ^x.Lo} // two's complement: invert and add one
	n.Add(1)
	return n
}

// Int64 returns x and whether it fits in an int64.
func (x Int) Int64() (int64, bool) {
	v := int64(x.Lo)
	return v, x.Hi == v>>63
}

// Sign returns -1, 0 or 1.
func (x Int) Sign() int {
	switch {
	case x.Hi < 0:
		return -1
	case x.Hi == 0 && x.Lo == 0:
		return 0
	}
	return 1
}

// IsZero reports whether x is 0.
func (x Int) IsZero() bool { return x.Hi == 0 && x.Lo == 0 }

// Big returns x as a new big.Int.
func (x Int) Big() *big.Int {
	if v, ok := x.Int64(); ok {
		return big.NewInt(v)
	}
	b := new(big.Int).Lsh(big.NewInt(x.Hi), 64)
	return b.Add(b, new(big.Int).SetUint64(x.Lo))
}

// String returns x in decimal.
func (x Int) String() string {
	if v, ok := x.Int64(); ok {
		return strconv.FormatInt(v, 10)
	}
	return x.Big().String()
}

// Halves returns high·2^32 + low, the total of SQL sums that add up the
// high 32 bits (an arithmetic shift) and the low 32 bits of values apart.
func Halves(high, low int64) Int {
	x := Int{Hi: high >> 32, Lo: uint64(high) << 32}
	x.Add(low)
	return x
}

// FromBig returns b as an Int and whether it fits in 128 bits.
func FromBig(b *big.Int) (Int, bool) {
	if b.IsInt64() {
		return Of(b.Int64()), true
	}
	if b.BitLen() > 127 {
		return Int{}, false
	}
	abs := new(big.Int).Abs(b)
	lo := abs.Uint64()
	hi := new(big.Int).Rsh(abs, 64).Uint64()
	x := Int{Hi: int64(hi), Lo: lo}
	if b.Sign() < 0 {
		x = x.Neg()
	}
	return x, true
}
