package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

func BenchmarkMoney(b *testing.B) {
	x, y := money(b, "1234.56", "USD"), money(b, "0.44", "USD")
	rate := decimal.RequireFromString("0.0825")
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := crm.ParseMoney("1234.56", "USD"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := x.Add(y); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MulRound", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_ = x.Mul(rate).Round(crm.RoundHalfEven)
		}
	})
	b.Run("Allocate3", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := x.Allocate(30, 30, 40); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Split12", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := x.Split(12); err != nil {
				b.Fatal(err)
			}
		}
	})
}
