package woocommerce

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/netguard"
)

// UserAgent identifies OHIS to shops.
const UserAgent = "OHIS/1 (+winstuitjewoning.nl)"

// Limits of one response and of waits between retries.
const (
	// MaxBody bounds one response body (one page of 100 products is
	// usually well under 1 MiB).
	MaxBody = 32 << 20
	// maxErrorBody bounds what is read of an error response.
	maxErrorBody = 64 << 10
	// MaxRetryAfter caps a shop's Retry-After.
	MaxRetryAfter = 120 * time.Second
	// DefaultRetryAfter is waited after a 429 without a usable Retry-After.
	DefaultRetryAfter = 5 * time.Second
	// baseBackoff is the first wait after a 5xx or a network failure; it
	// doubles with every retry (0.5 s, 1 s, 2 s, 4 s…), with ±25 % jitter.
	baseBackoff = 500 * time.Millisecond
	maxBackoff  = 30 * time.Second
)

// request is one API call.
type request struct {
	method string
	// path is relative to the API base ("/products"); abs, when set, is a
	// full URL instead (the WordPress index).
	path  string
	abs   string
	query url.Values
	body  any // JSON-encoded for POST/PUT
	// anonymous sends no credentials (the WordPress index).
	anonymous bool
	// quick is for the interactive connection check: at most one retry
	// after 429/5xx (waiting at most 10 s) and none after network errors.
	quick bool
}

// response is a complete response; body is fully read.
type response struct {
	status int
	header http.Header
	body   []byte
	method string
	url    string // without query string: safe for Detail
}

func (c *conn) url(r request) string {
	u := r.abs
	if u == "" {
		u = c.base + r.path
	}
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	return u
}

// do sends r, honouring the shop's concurrency limit, and retries after
// 429 (waiting Retry-After), 5xx and network failures (backing off
// exponentially) as far as the method allows. It returns the final
// response whatever its status, or a *connector.Error (or the context's
// error when ctx ended).
func (c *conn) do(ctx context.Context, r request) (*response, error) {
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	full := c.url(r)
	safeURL := stripQuery(full)
	idempotent := r.method != http.MethodPost
	maxRetries := c.maxRetries
	if r.quick {
		maxRetries = min(maxRetries, 1)
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, r, full, body)
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			code, retryable := classify(err)
			if retryable && r.quick {
				retryable = false
			}
			if retryable && !idempotent && !errors.Is(err, syscall.ECONNREFUSED) {
				retryable = false // a POST may have arrived: do not create twice
			}
			if !retryable || attempt >= maxRetries {
				return nil, c.transportError(code, err, r.method, safeURL, attempt+1)
			}
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		resp.method, resp.url = r.method, safeURL
		switch {
		case resp.status == http.StatusTooManyRequests:
			wait := retryAfter(resp.header.Get("Retry-After"), time.Now())
			if attempt >= maxRetries || (r.quick && wait > 10*time.Second) {
				e := c.statusError(resp)
				e.RetryAfter = wait
				e.Message = fmt.Sprintf("%s vraagt ons te wachten (429 Too Many Requests), ook na %d %s. Wij proberen het later opnieuw. Beperkt een firewall of beveiligingsplugin het aantal verzoeken, geef OHIS dan meer ruimte.",
					c.subject(), attempt+1, plural(attempt+1, "poging", "pogingen"))
				return nil, e
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
		case resp.status >= 500 && resp.status != http.StatusNotImplemented && idempotent:
			if attempt >= maxRetries {
				return nil, c.statusError(resp)
			}
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
		default:
			return resp, nil
		}
	}
}

// once makes one attempt while holding a slot of the shop's semaphore.
func (c *conn) once(ctx context.Context, r request, full string, body []byte) (*response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	defer func() { <-c.sem }()

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, full, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !r.anonymous {
		req.SetBasicAuth(c.creds.Key, c.creds.Secret)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := int64(MaxBody)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = maxErrorBody
	}
	buf, tooBig, err := readLimited(resp.Body, limit, resp.ContentLength)
	if err != nil {
		return nil, err
	}
	out := &response{status: resp.StatusCode, header: resp.Header, body: buf}
	if tooBig {
		if limit == maxErrorBody {
			return out, nil // an error page: its start is enough
		}
		return nil, &connector.Error{
			Code:    connector.CodeBadResponse,
			Message: fmt.Sprintf("%s stuurde een antwoord van meer dan %d MB; dat is voor één pagina veel te groot. Controleer of een plugin extra gegevens aan de API-antwoorden toevoegt.", c.subject(), MaxBody>>20),
			Detail:  fmt.Sprintf("%s %s: body larger than %d bytes", r.method, stripQuery(full), MaxBody),
			Status:  resp.StatusCode,
		}
	}
	return out, nil
}

func readLimited(r io.Reader, limit, hint int64) ([]byte, bool, error) {
	var buf bytes.Buffer
	if hint > 0 && hint <= limit {
		buf.Grow(int(hint) + bytes.MinRead)
	}
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, false, err
	}
	if n > limit {
		return buf.Bytes()[:limit], true, nil
	}
	return buf.Bytes(), false, nil
}

// backoff is the wait before retry attempt+1 after a 5xx or network error.
func backoff(attempt int) time.Duration {
	d := baseBackoff << min(attempt, 10)
	d = min(d, maxBackoff)
	return d*3/4 + rand.N(d/2+1)
}

// retryAfter reads Retry-After (seconds or HTTP date), capped at
// MaxRetryAfter; DefaultRetryAfter when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultRetryAfter
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return DefaultRetryAfter
		}
		if n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			return 0
		}
		return min(d, MaxRetryAfter)
	}
	return DefaultRetryAfter
}

// classify sorts a transport error into a failure code and whether trying
// again may help.
func classify(err error) (connector.Code, bool) {
	var (
		dnsErr   *net.DNSError
		netErr   net.Error
		certErr  *tls.CertificateVerificationError
		invalid  x509.CertificateInvalidError
		hostErr  x509.HostnameError
		unknown  x509.UnknownAuthorityError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, netguard.ErrBlocked):
		return connector.CodeBlocked, false
	case errors.As(err, &certErr), errors.As(err, &invalid), errors.As(err, &hostErr),
		errors.As(err, &unknown), errors.As(err, &recErr), errors.As(err, &alertErr):
		return connector.CodeTLS, false
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return connector.CodeUnreachable, false
		}
		return connector.CodeUnreachable, true
	case errors.As(err, &netErr) && netErr.Timeout():
		return connector.CodeTimeout, true
	case errors.Is(err, context.DeadlineExceeded):
		return connector.CodeTimeout, true
	}
	return connector.CodeUnreachable, true // refused, reset, EOF: worth another try
}

// transportError turns a failed request into a connector.Error with a
// Dutch message saying what the supplier can do.
func (c *conn) transportError(code connector.Code, err error, method, safeURL string, attempts int) *connector.Error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error() // url.Error repeats the URL with its query string
	}
	e := &connector.Error{Code: code, Detail: fmt.Sprintf("%s %s: %s", method, safeURL, c.redact(msg))}
	if attempts > 1 {
		e.Detail += fmt.Sprintf(" (after %d attempts)", attempts)
	}
	switch code {
	case connector.CodeBlocked:
		e.Message = fmt.Sprintf("Dit adres verwijst naar een intern netwerk (zoals localhost of een privé-IP-adres) en is voor OHIS niet toegestaan. Geef het openbare adres van %s op, zoals het via internet bereikbaar is.", c.object())
	case connector.CodeTLS:
		e.Message = tlsMessage(err, c.host)
	case connector.CodeTimeout:
		if secs := int(c.client.Timeout / time.Second); secs > 0 {
			e.Message = fmt.Sprintf("%s antwoordde niet binnen %d seconden. Controleer of %s bereikbaar is en niet overbelast; wij proberen het later opnieuw.", c.subject(), secs, c.objectShort())
		} else {
			e.Message = fmt.Sprintf("%s antwoordde niet op tijd. Controleer of %s bereikbaar is en niet overbelast; wij proberen het later opnieuw.", c.subject(), c.objectShort())
		}
	default:
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			e.Message = fmt.Sprintf("De domeinnaam %s bestaat niet of heeft geen IP-adres. Controleer het adres van %s op typefouten.", c.host, c.object())
		case errors.As(err, &dnsErr):
			e.Message = fmt.Sprintf("De domeinnaam %s kon niet worden opgezocht. Probeer het later opnieuw; blijft dit gebeuren, controleer dan de DNS-instellingen van uw domein.", c.host)
		case errors.Is(err, syscall.ECONNREFUSED):
			e.Message = fmt.Sprintf("%s weigert de verbinding (%s). Controleer het adres en of %s online is.", c.subject(), c.hostPort(), c.objectShort())
		default:
			e.Message = fmt.Sprintf("De verbinding met %s werd verbroken of kon niet worden opgezet. Controleer of %s online is; wij proberen het later opnieuw.", c.object(), c.objectShort())
		}
	}
	return e
}

// tlsMessage says in Dutch what is wrong with the shop's certificate.
func tlsMessage(err error, host string) string {
	var (
		invalid x509.CertificateInvalidError
		hostErr x509.HostnameError
		unknown x509.UnknownAuthorityError
		recErr  tls.RecordHeaderError
	)
	const fix = " Laat uw hostingpartij een geldig certificaat installeren (bijvoorbeeld gratis van Let's Encrypt), inclusief de tussencertificaten."
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		msg := "Het certificaat van " + host + " is verlopen"
		if invalid.Cert != nil {
			msg += " (geldig tot " + invalid.Cert.NotAfter.UTC().Format("02-01-2006") + ")"
		}
		return msg + "." + fix
	case errors.As(err, &hostErr):
		msg := "Het certificaat is niet uitgegeven voor " + host
		if hostErr.Certificate != nil {
			names := hostErr.Certificate.DNSNames
			if len(names) > 5 {
				names = names[:5]
			}
			if len(names) > 0 {
				msg += " maar voor " + strings.Join(names, ", ")
			}
		}
		return msg + ". Gebruik het adres waarvoor het certificaat geldt (bijvoorbeeld met of zonder www), of laat een certificaat voor dit adres installeren."
	case errors.As(err, &unknown):
		return "Het certificaat van " + host + " is niet ondertekend door een bekende certificaatautoriteit (het is zelf ondertekend of er ontbreekt een tussencertificaat)." + fix
	case errors.As(err, &invalid):
		return "Het certificaat van " + host + " is ongeldig (" + invalid.Error() + ")." + fix
	case errors.As(err, &recErr):
		return "Op dit adres spreekt de server geen HTTPS. Controleer het adres en het poortnummer, en of HTTPS voor uw webshop is ingeschakeld."
	}
	return "De beveiligde verbinding (TLS) met " + host + " kon niet worden opgezet. Controleer of de server een geldig certificaat en TLS 1.2 of nieuwer gebruikt."
}

// wcError is WooCommerce's (and WordPress's) error body.
type wcError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func parseWCError(body []byte) (wcError, bool) {
	var e wcError
	b := trimJSON(body)
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &e) != nil || e.Code == "" {
		return wcError{}, false
	}
	return e, true
}

// statusError maps a non-2xx response to a connector.Error.
func (c *conn) statusError(resp *response) *connector.Error {
	e := &connector.Error{Status: resp.status, Detail: c.detail(resp)}
	wcErr, isWC := parseWCError(resp.body)
	switch {
	case resp.status >= 300 && resp.status < 400:
		e.Code = connector.CodeBadResponse
		loc := resp.header.Get("Location")
		if loc == "" {
			e.Message = fmt.Sprintf("%s stuurt ons door (%d) zonder te zeggen waarheen. Controleer het adres.", c.subject(), resp.status)
			break
		}
		target := loc
		if base, err := url.Parse(resp.url); err == nil {
			if u, err := base.Parse(loc); err == nil {
				target = stripQuery(u.String())
			}
		}
		e.Detail += "; Location: " + target
		e.Message = fmt.Sprintf("%s stuurt ons door naar %s (%d). OHIS volgt geen doorverwijzingen: vul het adres in zoals %s het zelf gebruikt, %s.",
			c.subject(), target, resp.status, c.objectShort(), c.redirectHint(target))
	case resp.status == http.StatusUnauthorized:
		e.Code = connector.CodeAuth
		e.Message = c.authMessage(wcErr, isWC)
	case resp.status == http.StatusForbidden:
		e.Code = connector.CodeAuth
		if c.p.custom {
			e.Message = "Uw API weigert de toegang (403): de sleutel heeft niet de benodigde rechten. Geef de sleutel lees- en schrijfrechten (Lezen/Schrijven): lezen voor producten, categorieën, attributen en merken, schrijven om onze webhooks te registreren."
		} else {
			e.Message = "De webshop weigert de toegang (403): de API-sleutel heeft niet de benodigde rechten, of een beveiligingsplugin of firewall blokkeert ons. Maak in WooCommerce › Instellingen › Geavanceerd › REST API een sleutel met de rechten Lezen/Schrijven voor een beheerder of winkelmanager."
		}
	case resp.status == http.StatusTooManyRequests:
		e.Code = connector.CodeRateLimited
		e.Message = c.subject() + " vraagt ons te wachten (429 Too Many Requests). Wij proberen het later opnieuw."
	case resp.status >= 500:
		e.Code = connector.CodeServer
		if c.p.custom {
			e.Message = fmt.Sprintf("Uw API gaf een serverfout (%d), ook na herhaalde pogingen. Controleer de foutlogboeken van uw API; wij proberen het later opnieuw.", resp.status)
		} else {
			e.Message = fmt.Sprintf("De webshop gaf een serverfout (%d), ook na herhaalde pogingen. Controleer de foutlogboeken (WooCommerce › Status › Logboeken) of vraag uw hostingpartij; wij proberen het later opnieuw.", resp.status)
		}
	case resp.status == http.StatusNotFound:
		switch {
		case c.p.custom:
			e.Code = connector.CodeNotFound
			e.Message = fmt.Sprintf("Het adres %s bestaat niet in uw API (404). Controleer het basisadres: de paden moeten heten zoals in de WooCommerce REST API (bijvoorbeeld /products).", resp.url)
		case isWC && wcErr.Code == "rest_no_route":
			e.Code = connector.CodeNotWooCommerce
			e.Message = "De WordPress REST API antwoordt, maar de WooCommerce REST API (wc/v3) niet. Controleer of WooCommerce is geïnstalleerd en actief, en versie 3.5 of nieuwer."
		case isWC:
			e.Code = connector.CodeNotFound
			e.Message = fmt.Sprintf("De webshop kent %s niet (404: %s).", resp.url, c.redact(wcErr.Message))
		default:
			e.Code = connector.CodeNoREST
			e.Message = noRESTMessage
		}
	default:
		e.Code = connector.CodeBadResponse
		if isWC {
			e.Message = fmt.Sprintf("%s weigerde ons verzoek (%d): %s", c.subject(), resp.status, c.redact(wcErr.Message))
		} else {
			e.Message = fmt.Sprintf("%s weigerde ons verzoek (%d).", c.subject(), resp.status)
		}
	}
	return e
}

const noRESTMessage = "De REST API van de webshop is niet bereikbaar onder /wp-json/: waarschijnlijk staan de permalinks op 'Eenvoudig' of is de REST API geblokkeerd door een beveiligingsplugin of firewall. Kies onder Instellingen › Permalinks een andere structuur (bijvoorbeeld 'Berichtnaam') en zorg dat /wp-json/ bereikbaar is."

func (c *conn) authMessage(wcErr wcError, isWC bool) string {
	if c.p.custom {
		return "Uw API weigert de sleutel (401). Controleer de sleutel en het geheim die u in het portaal hebt ingevuld."
	}
	if isWC && strings.Contains(strings.ToLower(wcErr.Message), "missing") {
		return "De webshop ontvangt onze API-sleutel niet (401: 'Consumer key is missing'): de server verwijdert de Authorization-header. Vraag uw hostingpartij die header door te geven aan WordPress."
	}
	return "De webshop weigert de API-sleutel (401). Controleer consumer key en consumer secret, of maak in WooCommerce › Instellingen › Geavanceerd › REST API een nieuwe sleutel met de rechten Lezen/Schrijven."
}

func (c *conn) redirectHint(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "bijvoorbeeld met https:// of www"
	}
	switch {
	case u.Scheme == "https" && strings.HasPrefix(c.base, "http://"):
		return "met https://"
	case strings.HasPrefix(u.Host, "www.") && !strings.HasPrefix(c.host, "www."):
		return "met www"
	case !strings.HasPrefix(u.Host, "www.") && strings.HasPrefix(c.host, "www."):
		return "zonder www"
	}
	return "bijvoorbeeld met https:// of www"
}

// detail is technical context for staff: method, URL without query,
// status and the start of the body, with the credentials blanked out.
func (c *conn) detail(resp *response) string {
	d := fmt.Sprintf("%s %s: HTTP %d", resp.method, resp.url, resp.status)
	if s := snippet(resp.body, 300); s != "" {
		d += ": " + c.redact(s)
	}
	return d
}

// redact removes the credentials from s, should a shop echo them.
func (c *conn) redact(s string) string {
	for _, secret := range []string{c.creds.Secret, c.creds.Key} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[verborgen]")
		}
	}
	return s
}

// snippet is the start of a body as one line of valid UTF-8.
func snippet(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = b[:n]
	}
	s := strings.ToValidUTF8(string(b), "?")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if len(b) == n {
		s += "…"
	}
	return s
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// trimJSON drops a UTF-8 byte order mark and surrounding white space.
func trimJSON(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimSpace(b)
}

// badJSON is the error for a 2xx body that is not the JSON expected.
func (c *conn) badJSON(resp *response, want string) *connector.Error {
	b := trimJSON(resp.body)
	e := &connector.Error{Code: connector.CodeBadResponse, Status: resp.status, Detail: c.detail(resp) + "; expected " + want}
	switch {
	case len(b) == 0:
		e.Message = fmt.Sprintf("%s gaf een leeg antwoord op %s, waar een JSON-%s werd verwacht.", c.subject(), resp.url, dutchShape(want))
	case b[0] == '<':
		e.Message = fmt.Sprintf("%s gaf een webpagina terug in plaats van JSON (%s). Mogelijk blokkeert een beveiligingsplugin, cache of firewall (zoals Cloudflare) het verzoek, of klopt het adres niet.", c.subject(), resp.url)
	case b[0] != '[' && b[0] != '{':
		e.Message = fmt.Sprintf("%s gaf geen geldige JSON terug (%s). Vaak zet een PHP-melding of een plugin tekst vóór het antwoord; zet de weergave van PHP-meldingen uit (WP_DEBUG_DISPLAY) of schakel de plugin uit.", c.subject(), resp.url)
	default:
		e.Message = fmt.Sprintf("%s gaf niet het verwachte antwoord op %s: wij verwachtten een JSON-%s volgens de WooCommerce REST API.", c.subject(), resp.url, dutchShape(want))
	}
	return e
}

func dutchShape(want string) string {
	if want == "array" {
		return "lijst"
	}
	return "object"
}

// getJSON sends r and decodes a 2xx JSON object into v.
func (c *conn) getJSON(ctx context.Context, r request, v any) (*response, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return resp, c.statusError(resp)
	}
	b := trimJSON(resp.body)
	if len(b) == 0 || b[0] != '{' {
		return resp, c.badJSON(resp, "object")
	}
	if err := json.Unmarshal(b, v); err != nil {
		e := c.badJSON(resp, "object")
		e.Detail += ": " + err.Error()
		return resp, e
	}
	return resp, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
