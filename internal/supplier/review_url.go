package supplier

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// reservedTLDs are names that never reach a server on the internet: our
// sync must be able to call a submitted API from outside the supplier's
// network, and must not be pointed at our own.
var reservedTLDs = map[string]bool{
	"localhost": true, "localdomain": true, "local": true, "internal": true, "intranet": true, "lan": true,
	"home": true, "corp": true, "private": true, "test": true, "invalid": true, "example": true,
	"onion": true, "arpa": true,
}

// NormalizeAPIBaseURL checks the base address of a custom API and returns
// it normalised ("https://api.winkel.nl/wp-json/wc/v3", lower-case host, no
// default port, no trailing slash), or a Dutch message saying what is
// wrong. Only https to a public-looking host name is accepted: no IP
// addresses, no names that exist only inside a network, no user name or
// password in the address, no query and no fragment.
func NormalizeAPIBaseURL(raw string) (string, string) {
	return NormalizeURL(raw, URLRules{What: "het basisadres van uw API", Example: "https://www.uwwinkel.nl/wp-json/wc/v3"})
}

// URLRules say how NormalizeURL words its messages and what it accepts.
type URLRules struct {
	// What names the address in messages: "het adres van uw webshop".
	What string
	// Example is a valid address, shown after "bijvoorbeeld".
	Example string
	// AllowPrivate also accepts plain http, IP addresses and names that
	// exist only inside a network (localhost, .local): for the demo and
	// tests, never in production.
	AllowPrivate bool
}

// NormalizeURL checks an address a supplier gives OHIS to call and returns
// it normalised (lower-case host, no default port, no trailing slash), or
// a Dutch message saying what is wrong: https to a public-looking host
// name (unless rules allow private addresses), no user name or password,
// no query and no fragment.
func NormalizeURL(raw string, rules URLRules) (string, string) {
	v := strings.TrimSpace(raw)
	example := "bijvoorbeeld " + rules.Example
	switch {
	case v == "":
		return "", "Vul " + rules.What + " in, " + example + "."
	case len(v) > 500:
		return "", "Het adres mag hoogstens 500 tekens lang zijn."
	case strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", "Het adres bevat spaties of andere onzichtbare tekens; kopieer het opnieuw."
	}
	u, err := url.Parse(v)
	if err != nil || u.Opaque != "" || u.Host == "" {
		if err == nil && u.Scheme == "" && !strings.HasPrefix(v, "/") {
			return "", "Begin het adres met https://, " + example + "."
		}
		return "", "Vul een volledig webadres in, " + example + "."
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && !(rules.AllowPrivate && scheme == "http"):
		return "", "Het adres moet met https:// beginnen: wij koppelen alleen over een versleutelde verbinding."
	case u.User != nil:
		return "", "Zet geen gebruikersnaam of wachtwoord in het adres; vul de consumer key en het consumer secret hieronder in."
	case u.Fragment != "" || strings.Contains(v, "#"):
		return "", "Laat het deel vanaf # weg; dat hoort niet bij " + rules.What + "."
	case u.RawQuery != "" || u.ForceQuery:
		return "", "Laat het deel vanaf ? weg; geef alleen " + rules.What + " op, " + example + "."
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !rules.AllowPrivate {
		if msg := checkPublicHost(host); msg != "" {
			return "", msg
		}
	} else if host == "" {
		return "", "Vul een volledig webadres in, " + example + "."
	}
	hostPort := host
	if strings.Contains(host, ":") {
		hostPort = "[" + host + "]" // an IPv6 literal (private addresses only)
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", "Het poortnummer in het adres klopt niet."
		}
		if !(scheme == "https" && n == 443) && !(scheme == "http" && n == 80) {
			hostPort = net.JoinHostPort(host, strconv.Itoa(n))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", "Het poortnummer in het adres ontbreekt na de dubbele punt."
	}
	return scheme + "://" + hostPort + strings.TrimRight(u.EscapedPath(), "/"), ""
}

// checkPublicHost accepts a DNS name of at least two labels under a
// real-looking top-level domain.
func checkPublicHost(host string) string {
	if net.ParseIP(host) != nil {
		return "Gebruik de domeinnaam van uw API, geen IP-adres; wij controleren het certificaat op die naam."
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return "Vul een volledige domeinnaam in, zoals api.uwwinkel.nl; dit adres is alleen binnen uw eigen netwerk bereikbaar."
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "De domeinnaam in het adres klopt niet. Gebruikt u letters met accenten, vul dan de punycode-vorm in (xn--…)."
		}
	}
	tld := labels[len(labels)-1]
	if reservedTLDs[tld] || len(tld) < 2 || strings.Trim(tld, "0123456789") == "" {
		return "Dit adres is alleen binnen een eigen netwerk bereikbaar. Geef een adres op dat via internet bereikbaar is."
	}
	return ""
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
