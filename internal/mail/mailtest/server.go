// Package mailtest provides a fake SMTP server for tests. It speaks real
// SMTP (github.com/emersion/go-smtp), so the code under test runs its
// production client path, and it decodes what it receives independently of
// the composer in package mail, so a test checks the wire format rather
// than the composer agreeing with itself.
package mailtest

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a fake SMTP server on 127.0.0.1. Its methods are safe for
// concurrent use.
type Server struct {
	tb   testing.TB
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{} // closed when Serve returns

	mu       sync.Mutex
	msgs     []Received
	changed  chan struct{} // closed and replaced on every new message
	user     string
	pass     string
	needAuth bool
	reject   map[string]bool
	tempFail int
	closed   bool
}

// Received is one message the server accepted.
type Received struct {
	From     string   // MAIL FROM address
	To       []string // RCPT TO addresses
	Data     []byte   // the raw message as transmitted (CRLF, dot-unstuffed)
	Username string   // the AUTH username, empty without AUTH

	parsed   parsed
	parseErr error
}

// NewServer starts a server on 127.0.0.1:0 and closes it at t.Cleanup. It
// offers AUTH PLAIN without TLS, which a real server must never do.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{
		tb:      t,
		ln:      ln,
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		reject:  map[string]bool{},
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	// Bound every read and write so a broken client cannot hang a test run.
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = logger{s}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops open connections. It is called at
// cleanup and may be called earlier, e.g. to test an unreachable server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	_ = s.srv.Close()
	// Serve may not have registered ln with srv yet, in which case
	// srv.Close missed it; closing it here makes Serve return either way.
	_ = s.ln.Close()
	<-s.done
}

// Addr returns the host and port to configure the client with.
func (s *Server) Addr() (host string, port int) {
	a := s.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// RequireAuth makes MAIL FROM fail with 530 unless the client
// authenticated as user with pass; other credentials get 535. Without it,
// any credentials are accepted.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.needAuth, s.user, s.pass = true, user, pass
}

// RejectRecipient answers RCPT TO addr with 550 5.1.1, as a server does for
// an unknown mailbox. Matching ignores case.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[strings.ToLower(addr)] = true
}

// FailTemporarily answers the end of DATA of the next n messages with 451
// 4.3.0, as a busy or greylisting server does.
func (s *Server) FailTemporarily(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tempFail = n
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor waits until at least n messages were accepted and returns them
// all; it fails t if that takes longer than timeout. A client's Send
// returns after the server's 250, which is after the message is stored, so
// tests of synchronous senders need no wait; asynchronous ones (a job
// queue) do.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Received(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: got %d messages within %v, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

func (s *Server) store(r Received) {
	r.parsed, r.parseErr = parseMessage(r.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP connection's state.
type session struct {
	s        *Server
	username string
	authed   bool
	from     string
	to       []string
}

var _ smtp.AuthSession = (*session)(nil)

// AuthMechanisms offers PLAIN, the mechanism package mail uses.
func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth checks PLAIN credentials against RequireAuth's.
func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		se.s.mu.Lock()
		defer se.s.mu.Unlock()
		if se.s.needAuth && (username != se.s.user || password != se.s.pass) {
			return smtp.ErrAuthFailed
		}
		se.username, se.authed = username, true
		return nil
	}), nil
}

// Mail starts a transaction, enforcing RequireAuth.
func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.s.mu.Lock()
	need := se.s.needAuth
	se.s.mu.Unlock()
	if need && !se.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	se.from = from
	return nil
}

// Rcpt adds a recipient unless RejectRecipient named it.
func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	rejected := se.s.reject[strings.ToLower(to)]
	se.s.mu.Unlock()
	if rejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here: " + to}
	}
	se.to = append(se.to, to)
	return nil
}

// Data stores the message, or fails it with 451 while FailTemporarily
// has messages left.
func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r) // go-smtp requires r to be consumed either way
	if err != nil {
		return err
	}
	se.s.mu.Lock()
	fail := se.s.tempFail > 0
	if fail {
		se.s.tempFail--
	}
	se.s.mu.Unlock()
	if fail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	se.s.store(Received{From: se.from, To: append([]string(nil), se.to...), Data: data, Username: se.username})
	return nil
}

// Reset forgets the current transaction (RSET, or a new EHLO).
func (se *session) Reset() { se.from, se.to = "", nil }

// Logout ends the session; there is nothing to free.
func (se *session) Logout() error { return nil }

// logger forwards go-smtp's error log to the test log until the server is
// closed: logging after a test ended panics.
type logger struct{ s *Server }

func (l logger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l logger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l logger) log(msg string) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	// Closed connections are routine when a client gives up mid-session.
	if l.s.closed || strings.Contains(msg, net.ErrClosed.Error()) {
		return
	}
	l.s.tb.Logf("mailtest: %s", strings.TrimSpace(msg))
}
