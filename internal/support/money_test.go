package support

import (
	"math"
	"testing"
)

func TestFormatEUR(t *testing.T) {
	for _, tc := range []struct {
		in   Cents
		want string
	}{
		{0, "€ 0,00"},
		{5, "€ 0,05"},
		{100, "€ 1,00"},
		{99999, "€ 999,99"},
		{123456, "€ 1.234,56"},
		{10000000, "€ 100.000,00"},
		{100000000, "€ 1.000.000,00"},
		{-100, "-€ 1,00"},
		{-5, "-€ 0,05"},
		{-123456, "-€ 1.234,56"},
		{math.MaxInt64, "€ 92.233.720.368.547.758,07"},
		{math.MinInt64, "-€ 92.233.720.368.547.758,08"},
	} {
		if got := FormatEUR(tc.in); got != tc.want {
			t.Errorf("FormatEUR(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecimalCents(t *testing.T) {
	for _, tc := range []struct {
		in   Cents
		sep  byte
		want string
	}{
		{10000, ',', "100,00"},
		{123456, ',', "1234,56"},
		{123456, '.', "1234.56"},
		{-7, ',', "-0,07"},
		{0, '.', "0.00"},
	} {
		if got := decimalCents(tc.in, tc.sep); got != tc.want {
			t.Errorf("decimalCents(%d, %q) = %q, want %q", tc.in, tc.sep, got, tc.want)
		}
	}
}

func TestBillingConstants(t *testing.T) {
	if RatePerHour != 10000 || VATPercent != 21 || DefaultAllowance != 480 {
		t.Fatalf("constants = %d, %d, %d", RatePerHour, VATPercent, DefaultAllowance)
	}
}
