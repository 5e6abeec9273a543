package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS modes of SMTPConfig.
const (
	TLSStartTLS = "starttls" // plain connect, then STARTTLS (default, port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption; only for local test servers (port 25)
)

// DefaultTimeout bounds one Send when SMTPConfig.Timeout is zero, so a
// stuck relay cannot hold an outbox worker forever.
const DefaultTimeout = time.Minute

// SMTPConfig configures delivery.
type SMTPConfig struct {
	Host     string
	Port     int // 0 picks the usual port of the TLS mode
	Username string
	Password string
	// TLS is "starttls" (default), "tls" (implicit) or "none" (only for
	// local test servers).
	TLS string
	// Timeout bounds a whole Send (connect to QUIT); zero means DefaultTimeout.
	Timeout time.Duration
	// HeloName is sent in EHLO. Empty means "localhost". With STARTTLS the
	// first, unencrypted EHLO always says "localhost" (go-smtp offers no
	// hook there); the EHLO after the handshake uses HeloName.
	HeloName string
}

// String describes the configuration with the password redacted, so that
// logging a config (%v, %+v) cannot leak it.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "REDACTED"
	}
	return fmt.Sprintf("{Host:%s Port:%d Username:%s Password:%s TLS:%s Timeout:%s HeloName:%s}",
		c.Host, c.Port, c.Username, pw, c.TLS, c.Timeout, c.HeloName)
}

// GoString redacts the password for %#v as well.
func (c SMTPConfig) GoString() string { return "mail.SMTPConfig" + c.String() }

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTPSender delivers over SMTP, one connection per message: outbox volume
// is low, and a fresh connection never inherits a half-broken session.
type SMTPSender struct {
	cfg SMTPConfig
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender returns a Sender for cfg. The configuration is checked at
// Send time so a bad value surfaces as an (retryable) job error.
func NewSMTPSender(cfg SMTPConfig) *SMTPSender {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	return &SMTPSender{cfg: cfg}
}

// deliveryError records which SMTP step failed and whether the server's
// answer was final for this message.
type deliveryError struct {
	step      string
	permanent bool
	err       error
}

func (e *deliveryError) Error() string { return "mail: " + e.step + ": " + e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }

// IsPermanent reports whether retrying err is pointless: a 5xx reply to
// MAIL, RCPT or DATA (e.g. 550 unknown recipient) or an invalid Message.
// 4xx replies, network errors, timeouts and cancellation are temporary.
//
// A 5xx during greeting, STARTTLS or AUTH (e.g. 535 bad credentials) is
// deliberately temporary: it says nothing about the message, and once the
// configuration is fixed a retry delivers it instead of dropping it.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var de *deliveryError
	if errors.As(err, &de) {
		return de.permanent
	}
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

// Send composes m and delivers it. It returns when the server accepted the
// message (250 after DATA), failed, or ctx or cfg.Timeout expired.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	raw, err := m.Bytes(time.Now())
	if err != nil {
		return err
	}
	from, to, err := m.Envelope()
	if err != nil {
		return err
	}
	if err := s.checkConfig(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	c, stop, err := s.connect(ctx)
	if err != nil {
		return s.fail(ctx, "connect", false, err)
	}
	defer stop()
	defer c.Close()

	if err := s.transact(c, from, to, raw); err != nil {
		var de *deliveryError
		if errors.As(err, &de) {
			return s.fail(ctx, de.step, de.permanent, de.err)
		}
		return s.fail(ctx, "send", false, err)
	}
	// The message is accepted; a failing QUIT must not trigger a retry that
	// would deliver it twice.
	_ = c.Quit()
	return nil
}

func (s *SMTPSender) checkConfig() error {
	switch s.cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("mail: unknown SMTP TLS mode %q (want starttls, tls or none)", s.cfg.TLS)
	}
	if s.cfg.Host == "" {
		return errors.New("mail: SMTP host not configured")
	}
	// Refuse to send a password in clear text over the network; "none" with
	// credentials is only for a fake server on this machine.
	if s.cfg.TLS == TLSNone && s.cfg.Username != "" && !isLoopback(s.cfg.Host) {
		return fmt.Errorf("mail: refusing SMTP AUTH without TLS to non-loopback host %q", s.cfg.Host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// connect dials, sets up TLS as configured, and says EHLO. The caller
// must call stop once done with the client.
func (s *SMTPSender) connect(ctx context.Context) (c *smtp.Client, stop func() bool, err error) {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	conn := &ctxConn{Conn: nc, ctx: ctx}
	// Armed before the first read: cancelling ctx unblocks the greeting too.
	stopExpire := context.AfterFunc(ctx, conn.expire)
	defer func() {
		if err != nil {
			stopExpire()
			nc.Close()
		}
	}()
	tlsCfg := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	switch s.cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, nil, err
		}
		c = smtp.NewClient(tc)
	case TLSStartTLS:
		// Sends EHLO, STARTTLS and handshakes; the deadlines go-smtp sets
		// meanwhile are clamped to ctx by conn.
		if c, err = smtp.NewClientStartTLS(conn, tlsCfg); err != nil {
			return nil, nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = s.cfg.Timeout
	// Greet now rather than lazily in MAIL, so that a 5xx greeting or EHLO
	// (a relay refusing us) is reported as a connect error, not as a
	// permanent refusal of the message. After STARTTLS go-smtp forgets the
	// first EHLO, so this one is the one that counts.
	helo := s.cfg.HeloName
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return nil, nil, err
	}
	return c, stopExpire, nil
}

// transact runs AUTH, MAIL, RCPT and DATA, tagging errors with their step.
func (s *SMTPSender) transact(c *smtp.Client, from string, to []string, raw []byte) error {
	step := func(name string, permanentOn5xx bool, err error) error {
		if err == nil {
			return nil
		}
		var se *smtp.SMTPError
		perm := permanentOn5xx && errors.As(err, &se) && se.Code >= 500 && se.Code < 600
		return &deliveryError{step: name, permanent: perm, err: err}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return step("AUTH", false, errors.New("server does not offer AUTH"))
		}
		err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password))
		if err := step("AUTH", false, err); err != nil {
			return err
		}
	}
	var opts *smtp.MailOptions
	if !isASCII(from) || !isASCII(strings.Join(to, "")) {
		opts = &smtp.MailOptions{UTF8: true} // internationalised addresses need SMTPUTF8
	}
	if err := step("MAIL FROM", true, c.Mail(from, opts)); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := step("RCPT TO <"+rcpt+">", true, c.Rcpt(rcpt, nil)); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err := step("DATA", true, err); err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return step("DATA", false, err)
	}
	return step("DATA", true, w.Close())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fail builds the error Send returns. When ctx ended, the underlying error
// is only the i/o timeout our deadline caused, so ctx.Err() is wrapped too
// (errors.Is(err, context.DeadlineExceeded) works). Any trace of the
// password is scrubbed, in case a server echoes what it received.
func (s *SMTPSender) fail(ctx context.Context, step string, permanent bool, err error) error {
	ctxErr := ctx.Err()
	if dl, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(dl) {
		// The conn deadline equals ctx's and may fire before ctx's timer.
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		err = fmt.Errorf("%w (%w)", ctxErr, err)
		permanent = false
	}
	if pw := s.cfg.Password; pw != "" && strings.Contains(err.Error(), pw) {
		err = errors.New(strings.ReplaceAll(err.Error(), pw, "REDACTED"))
	}
	return &deliveryError{step: step, permanent: permanent, err: err}
}

// ctxConn ties a net.Conn to a context. go-smtp sets its own deadline
// before every command and clears it afterwards; clamping every deadline to
// the context's keeps a silent server from outliving ctx, and expire (run
// by context.AfterFunc) unblocks an I/O call in flight on cancellation.
type ctxConn struct {
	net.Conn
	ctx context.Context
	mu  sync.Mutex // orders SetDeadline against expire so expiry always wins
}

// SetDeadline sets t, but never later than ctx's deadline, and in the past
// once ctx is done.
func (c *ctxConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetDeadline(c.clamp(t))
}

// SetReadDeadline clamps like SetDeadline.
func (c *ctxConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetReadDeadline(c.clamp(t))
}

// SetWriteDeadline clamps like SetDeadline.
func (c *ctxConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetWriteDeadline(c.clamp(t))
}

func (c *ctxConn) clamp(t time.Time) time.Time {
	if c.ctx.Err() != nil {
		return time.Unix(1, 0)
	}
	if dl, ok := c.ctx.Deadline(); ok && (t.IsZero() || dl.Before(t)) {
		return dl
	}
	return t
}

func (c *ctxConn) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.Conn.SetDeadline(time.Unix(1, 0))
}
