package admission

import "testing"

func TestNormalizeKvK(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12345678", "12345678"},
		{" 6901 8420 ", "69018420"},
		{"1234.5678", "12345678"},
		{"1234567", ""},
		{"123456789", ""},
		{"1234567a", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, msg := NormalizeKvK(tt.in)
		if got != tt.want || (tt.want == "") == (msg == "") {
			t.Errorf("NormalizeKvK(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestNormalizeVAT(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NL123456789B01", "NL123456789B01"},
		{"nl 1234.56.789 b01", "NL123456789B01"},
		{"NL003456789B12", "NL003456789B12"},
		{"NL12345678B01", ""},  // 8 digits
		{"NL123456789C01", ""}, // C instead of B
		{"BE0123456789", ""},   // not Dutch
		{"NL123456789B1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, msg := NormalizeVAT(tt.in)
		if got != tt.want || (tt.want == "") == (msg == "") {
			t.Errorf("NormalizeVAT(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestNormalizeIBAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NL91ABNA0417164300", "NL91ABNA0417164300"},              // ISO example
		{"nl91 abna 0417 1643 00", "NL91ABNA0417164300"},          // spaces, lower case
		{"NL20INGB0001234567", "NL20INGB0001234567"},              // common test number
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000"}, // German
		{"BE68 5390 0754 7034", "BE68539007547034"},               // Belgian
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"},
		{"NL91ABNA0417164301", ""}, // check digits wrong
		{"NL91ABNA041716430", ""},  // too short
		{"US12345678901234", ""},   // not SEPA
		{"1234", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, msg := NormalizeIBAN(tt.in)
		if got != tt.want || (tt.want == "") == (msg == "") {
			t.Errorf("NormalizeIBAN(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"020 123 4567", "+31201234567"},
		{"06-12345678", "+31612345678"},
		{"+31 6 12345678", "+31612345678"},
		{"0031 20 1234567", "+31201234567"},
		{"+32 470 12 34 56", "+32470123456"},
		{"+49 30 12345678", "+493012345678"},
		{"12345", ""},
		{"06-1234", ""},
		{"bel me", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, msg := NormalizePhone(tt.in)
		if got != tt.want || (tt.want == "") == (msg == "") {
			t.Errorf("NormalizePhone(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestNormalizeWebsite(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.winkel.nl", "https://www.winkel.nl"},
		{"winkel.nl", "https://winkel.nl"},
		{"ftp://winkel.nl", ""},
		{"localhost", ""},
		{"https://user:pw@winkel.nl", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, msg := NormalizeWebsite(tt.in)
		if got != tt.want || (tt.want == "") == (msg == "") {
			t.Errorf("NormalizeWebsite(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+31201234567": "020 123 4567",
		"+31612345678": "06 12345678",
		"+32470123456": "+32 470 12 34 56",
		"not-a-number": "not-a-number",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
