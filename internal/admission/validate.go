package admission

import (
	"math/big"
	"net/url"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Each validator takes what an applicant typed and returns the normalised
// value, or a Dutch message saying what is wrong. Spaces, dots and dashes
// people type for readability are accepted and removed.

var (
	kvkPattern = regexp.MustCompile(`^[0-9]{8}$`)
	vatPattern = regexp.MustCompile(`^NL[0-9]{9}B[0-9]{2}$`)
)

func compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\u00a0', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// NormalizeKvK checks a Chamber of Commerce number: exactly 8 digits.
func NormalizeKvK(s string) (string, string) {
	v := compact(s)
	switch {
	case v == "":
		return "", "Vul het KvK-nummer in."
	case !kvkPattern.MatchString(v):
		return "", "Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld 12345678."
	}
	return v, ""
}

// NormalizeVAT checks a Dutch VAT id: NL, 9 digits, B, 2 digits.
func NormalizeVAT(s string) (string, string) {
	v := strings.ToUpper(compact(s))
	switch {
	case v == "":
		return "", "Vul het btw-identificatienummer in."
	case !vatPattern.MatchString(v):
		return "", "Een btw-identificatienummer heeft de vorm NL + 9 cijfers + B + 2 cijfers, bijvoorbeeld NL123456789B01."
	}
	return v, ""
}

// ibanLengths is the IBAN length per SEPA country (ISO 13616 registry).
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
	"EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
	"IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
	"NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
	"VA": 22,
}

var ibanChars = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]+$`)

// NormalizeIBAN checks an IBAN of a SEPA country by length and the ISO 13616
// mod-97 check digits, and returns it in compact upper case.
func NormalizeIBAN(s string) (string, string) {
	v := strings.ToUpper(compact(s))
	if v == "" {
		return "", "Vul het IBAN in."
	}
	if !ibanChars.MatchString(v) {
		return "", "Een IBAN begint met een landcode en twee cijfers, bijvoorbeeld NL91 ABNA 0417 1643 00."
	}
	want, ok := ibanLengths[v[:2]]
	if !ok {
		return "", "Dit IBAN hoort niet bij een land in het SEPA-gebied; gebruik een rekening in het SEPA-gebied."
	}
	if len(v) != want {
		return "", "Dit IBAN heeft niet het juiste aantal tekens voor " + v[:2] + " (" + itoa(want) + "). Controleer het nummer."
	}
	if !ibanChecksumOK(v) {
		return "", "Dit IBAN klopt niet: het controlegetal komt niet overeen. Controleer op tikfouten."
	}
	return v, ""
}

func ibanChecksumOK(v string) bool {
	rearranged := v[4:] + v[:4]
	var digits strings.Builder
	for _, r := range rearranged {
		if r >= 'A' && r <= 'Z' {
			digits.WriteString(itoa(int(r-'A') + 10))
		} else {
			digits.WriteRune(r)
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// NormalizePhone checks a Dutch or international phone number and returns it
// in E.164 form (+31201234567). Numbers without a country code are read as
// Dutch.
func NormalizePhone(s string) (string, string) {
	if strings.TrimSpace(s) == "" {
		return "", "Vul het telefoonnummer in."
	}
	n, err := phonenumbers.Parse(s, "NL")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", "Vul een geldig telefoonnummer in, bijvoorbeeld 020 123 4567 of +32 470 12 34 56."
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// NormalizeWebsite checks a web address; "winkel.nl" becomes
// "https://winkel.nl".
func NormalizeWebsite(s string) (string, string) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", "Vul het adres van de webshop in."
	}
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(u.Hostname(), ".") || u.User != nil {
		return "", "Vul een geldig webadres in, bijvoorbeeld https://www.uwwinkel.nl."
	}
	return u.String(), ""
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// FormatPhone shows a stored (E.164) number the way people write it: Dutch
// numbers nationally (020 123 4567), others internationally.
func FormatPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "NL")
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(n) == "NL" {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
