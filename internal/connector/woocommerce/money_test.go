package woocommerce

import "testing"

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in      string
		cents   int64
		problem priceProblem
	}{
		{"12.50", 1250, priceOK},
		{"12.5", 1250, priceOK},
		{"12", 1200, priceOK},
		{"0", 0, priceOK},
		{"0.99", 99, priceOK},
		{"0.01", 1, priceOK},
		{"9.00", 900, priceOK},
		{"007.05", 705, priceOK},
		{" 12.50 ", 1250, priceOK},
		{"999999.99", 99999999, priceOK},
		{"1000000", 100000000, priceOK},
		{"1000000.00", 100000000, priceOK},
		{"0.10", 10, priceOK},
		{"19.99", 1999, priceOK}, // a float would make this 1998.999…

		{"", 0, priceEmpty},
		{"   ", 0, priceEmpty},
		{"12,50", 0, priceComma},
		{"12,5", 0, priceComma},
		{"12.345", 0, priceDecimals},
		{"12.500", 0, priceDecimals},
		{"-1", 0, priceNegative},
		{"-12.50", 0, priceNegative},
		{"1000000.01", 0, priceTooHigh},
		{"2000000", 0, priceTooHigh},
		{"99999999999999999999999", 0, priceTooHigh},
		{"€ 12,50", 0, priceNotNumeric},
		{"12 EUR", 0, priceNotNumeric},
		{"1.234,56", 0, priceNotNumeric},
		{"1,234.56", 0, priceNotNumeric},
		{"abc", 0, priceNotNumeric},
		{"12.", 0, priceNotNumeric},
		{".50", 0, priceNotNumeric},
		{"+12", 0, priceNotNumeric},
		{"1e3", 0, priceNotNumeric},
		{"12.5.0", 0, priceNotNumeric},
		{"NaN", 0, priceNotNumeric},
		{"--1", 0, priceNotNumeric},
		{"١٢", 0, priceNotNumeric}, // Arabic-Indic digits are not ASCII digits
	}
	for _, c := range cases {
		cents, problem := parsePrice(c.in)
		if problem != c.problem || (problem == priceOK && cents != c.cents) {
			t.Errorf("parsePrice(%q) = %d, %v; want %d, %v", c.in, cents, problem, c.cents, c.problem)
		}
	}
}

func TestParseWholeNumber(t *testing.T) {
	for in, want := range map[string]int64{"5": 5, "-3": -3, "0": 0, "5.0": 5, "10000000": 10000000, "-0": 0} {
		if n, ok := parseWholeNumber(in); !ok || n != want {
			t.Errorf("parseWholeNumber(%q) = %d, %v", in, n, ok)
		}
	}
	for _, in := range []string{"5.5", "1e3", "", "-", "abc", "1234567890123456"} {
		if _, ok := parseWholeNumber(in); ok {
			t.Errorf("parseWholeNumber(%q) accepted", in)
		}
	}
}
