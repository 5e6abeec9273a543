package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/mail/mailtest"
	"github.com/wujw/ohis/internal/outbox"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

const (
	smtpUser = "ohis"
	smtpPass = "geheim"
	sender   = "noreply@winstuitjewoning.nl"
)

// withSMTP builds the whole application with delivery to srv, the way an
// operator configures it.
func withSMTP(t *testing.T, srv *mailtest.Server) *apptest.Env {
	t.Helper()
	host, port := srv.Addr()
	return apptest.New(t,
		apptest.WithEnv("OHIS_SMTP_HOST", host),
		apptest.WithEnv("OHIS_SMTP_PORT", strconv.Itoa(port)),
		apptest.WithEnv("OHIS_SMTP_TLS", "none"),
		apptest.WithEnv("OHIS_SMTP_USERNAME", smtpUser),
		apptest.WithEnv("OHIS_SMTP_PASSWORD", smtpPass),
	)
}

// newWorker is a DeliverWorker as the application builds it, for calling
// Work directly.
func newWorker(srv *mailtest.Server, st *store.Store) *outbox.DeliverWorker {
	host, port := srv.Addr()
	return &outbox.DeliverWorker{
		Store: st,
		Sender: mail.NewSMTPSender(mail.SMTPConfig{
			Host: host, Port: port, Username: smtpUser, Password: smtpPass, TLS: mail.TLSNone, Timeout: 10 * time.Second,
		}),
		From:   "Winst uit je woning <" + sender + ">",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// eventually polls cond until it holds or timeout passes; cond returns a
// description of what it saw for the failure message.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last saw %s", what, timeout, seen)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// onlyMail returns the single outbox mail.
func onlyMail(t *testing.T, st *store.Store) store.OutboxMail {
	t.Helper()
	ms, err := st.MailOutboxList(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("outbox holds %d mails, want 1", len(ms))
	}
	return ms[0]
}

func waitMailStatus(t *testing.T, st *store.Store, status string, attempts int) store.OutboxMail {
	t.Helper()
	var m store.OutboxMail
	eventually(t, 20*time.Second, "outbox mail "+status, func() (bool, string) {
		m = onlyMail(t, st)
		return m.Status == status && m.Attempts == attempts, fmt.Sprintf("status %q, %d attempts, error %q", m.Status, m.Attempts, m.LastError)
	})
	return m
}

type jobRow struct {
	ID          int64
	State       string
	Attempt     int
	MaxAttempts int
	Queue       string
	OutboxID    int64
}

// deliveryJobs reads the mail delivery jobs straight from River's table.
func deliveryJobs(t *testing.T, pool *pgxpool.Pool) []jobRow {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT id, state::text, attempt, max_attempts, queue, (args->>'outbox_id')::bigint
		   FROM river_job WHERE kind = 'mail_deliver' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (jobRow, error) {
		var j jobRow
		err := r.Scan(&j.ID, &j.State, &j.Attempt, &j.MaxAttempts, &j.Queue, &j.OutboxID)
		return j, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func waitJobState(t *testing.T, pool *pgxpool.Pool, state string) jobRow {
	t.Helper()
	var j jobRow
	eventually(t, 20*time.Second, "delivery job "+state, func() (bool, string) {
		jobs := deliveryJobs(t, pool)
		if len(jobs) != 1 {
			return false, fmt.Sprintf("%d jobs", len(jobs))
		}
		j = jobs[0]
		return j.State == state, fmt.Sprintf("%+v", j)
	})
	return j
}

var resetLink = regexp.MustCompile(`https?://\S+/wachtwoord-herstellen/\S+`)

func TestResetMailDeliveredByJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	srv.RequireAuth(smtpUser, smtpPass)
	env := withSMTP(t, srv)
	curator := env.Users[account.RoleCurator]

	if err := env.App.Auth.RequestReset(ctx, curator.Email, "127.0.0.1"); err != nil {
		t.Fatalf("RequestReset: %v", err)
	}
	msgs := srv.WaitFor(t, 1, 20*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(msgs))
	}
	m := msgs[0]
	if err := m.ParseError(); err != nil {
		t.Fatalf("delivered message is not valid MIME: %v", err)
	}
	if len(m.To) != 1 || m.To[0] != curator.Email {
		t.Errorf("RCPT TO = %v, want %s", m.To, curator.Email)
	}
	if !strings.Contains(m.Header().Get("To"), curator.Email) {
		t.Errorf("To header = %q", m.Header().Get("To"))
	}
	if m.From != sender {
		t.Errorf("MAIL FROM = %q, want %s", m.From, sender)
	}
	if m.Username != smtpUser {
		t.Errorf("delivered without authenticating as %s (username %q)", smtpUser, m.Username)
	}
	if got := m.Subject(); got != "Wachtwoord herstellen" {
		t.Errorf("Subject = %q, want Wachtwoord herstellen", got)
	}
	text := m.Text()
	if !strings.Contains(text, "Beste curator,") || !strings.Contains(text, "werkt één keer") {
		t.Errorf("text is not the Dutch reset mail:\n%s", text)
	}
	link := resetLink.FindString(text)
	if !strings.HasPrefix(link, env.Server.URL+"/wachtwoord-herstellen/") {
		t.Fatalf("reset link %q does not point at the portal %s:\n%s", link, env.Server.URL, text)
	}

	// The outbox shows the mail as sent, and the admins' view matches what
	// went out.
	row := waitMailStatus(t, env.App.Store, "sent", 1)
	if row.To != curator.Email || row.Subject != "Wachtwoord herstellen" || row.SentAt == nil || row.LastError != "" {
		t.Errorf("outbox row = %+v", row)
	}
	if id := m.Header().Get("X-OHIS-Outbox-ID"); id != strconv.FormatInt(row.ID, 10) {
		t.Errorf("X-OHIS-Outbox-ID = %q, want %d", id, row.ID)
	}
	job := waitJobState(t, env.App.Pool, "completed")
	if job.Queue != outbox.Queue || job.OutboxID != row.ID || job.Attempt != 1 {
		t.Errorf("job = %+v", job)
	}

	// The link in the mail opens the reset form.
	resp := env.Get(t, env.Client(t), strings.TrimPrefix(link, env.Server.URL))
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<form") {
		t.Errorf("GET reset link: status %d", resp.StatusCode)
	}

	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered in the end, want 1", n)
	}
}

func TestRejectedRecipientFailsWithoutRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	env := withSMTP(t, srv)
	curator := env.Users[account.RoleCurator]
	srv.RejectRecipient(curator.Email)

	if err := env.App.Auth.RequestReset(ctx, curator.Email, "127.0.0.1"); err != nil {
		t.Fatalf("RequestReset: %v", err)
	}
	row := waitMailStatus(t, env.App.Store, "failed", 1)
	if !strings.Contains(row.LastError, "550") {
		t.Errorf("last_error = %q, want the server's 550", row.LastError)
	}
	if strings.Contains(row.LastError, smtpPass) {
		t.Errorf("last_error shows the SMTP password: %q", row.LastError)
	}
	job := waitJobState(t, env.App.Pool, "cancelled")
	if job.Attempt != 1 {
		t.Errorf("job attempt = %d, want 1 (no retry of a permanent refusal)", job.Attempt)
	}
	// Give a mistaken retry a moment to show up: nothing may change.
	time.Sleep(300 * time.Millisecond)
	if j := deliveryJobs(t, env.App.Pool); len(j) != 1 || j[0].State != "cancelled" || j[0].Attempt != 1 {
		t.Errorf("job after a while: %+v", j)
	}
	if row := onlyMail(t, env.App.Store); row.Attempts != 1 || row.Status != "failed" {
		t.Errorf("outbox after a while: %+v", row)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered to a rejected recipient", n)
	}
}

// TestTemporaryFailureIsRetried: a second temporary failure leaves the job
// retryable (River's next try is 16 s away); the mail stays pending with the
// server's answer, and a retry delivers it once.
//
// After a first failure River does not show "retryable": a retry due within
// its scheduler interval (5 s) is put back as "available" with a later
// scheduled_at. Two failures make the state stable enough to look at.
func TestTemporaryFailureIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	env := withSMTP(t, srv)
	curator := env.Users[account.RoleCurator]
	srv.FailTemporarily(2)

	if err := env.App.Auth.RequestReset(ctx, curator.Email, "127.0.0.1"); err != nil {
		t.Fatalf("RequestReset: %v", err)
	}
	job := waitJobState(t, env.App.Pool, "retryable")
	if job.Attempt != 2 {
		t.Errorf("job attempt = %d, want 2", job.Attempt)
	}
	var errs []string
	var retryIn time.Duration
	if err := env.App.Pool.QueryRow(ctx,
		`SELECT ARRAY(SELECT e->>'error' FROM jsonb_array_elements(to_jsonb(errors)) e), scheduled_at - now()
		   FROM river_job WHERE id = $1`, job.ID).Scan(&errs, &retryIn); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || !strings.Contains(errs[0], "451") || !strings.Contains(errs[1], "451") {
		t.Errorf("job errors = %q, want two 451 answers", errs)
	}
	if retryIn < 5*time.Second {
		t.Errorf("next retry in %v; a retryable job should wait longer", retryIn)
	}
	row := onlyMail(t, env.App.Store)
	if row.Status != "pending" || row.Attempts != 2 || !strings.Contains(row.LastError, "451") || row.SentAt != nil {
		t.Errorf("outbox while waiting for the retry = %+v, want pending after 2 attempts with the 451", row)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages before the retry", n)
	}

	// Bring the retry forward, as an operator would in River's UI; the
	// running job runner works it.
	if _, err := env.App.River.JobRetry(ctx, job.ID); err != nil {
		t.Fatalf("JobRetry: %v", err)
	}
	srv.WaitFor(t, 1, 20*time.Second)
	if job := waitJobState(t, env.App.Pool, "completed"); job.Attempt != 3 {
		t.Errorf("job attempt after the retry = %d, want 3", job.Attempt)
	}
	row = onlyMail(t, env.App.Store)
	if row.Status != "sent" || row.Attempts != 3 || row.LastError != "" || row.SentAt == nil {
		t.Errorf("outbox after the retry = %+v, want sent after 3 attempts", row)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].Subject() != "Wachtwoord herstellen" {
		t.Errorf("%d messages delivered, want exactly the reset mail once", len(msgs))
	}
}

// TestRiverRetriesOnItsOwn leaves a single temporary failure to the running
// job runner: the first retry is due after about a second, so a greylisted
// mail arrives a few seconds late without anyone doing anything.
func TestRiverRetriesOnItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	env := withSMTP(t, srv)
	srv.FailTemporarily(1)
	support := env.Users[account.RoleSupport]

	if err := env.App.Auth.RequestReset(ctx, support.Email, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitFor(t, 1, 30*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != support.Email {
		t.Fatalf("delivered %d messages", len(msgs))
	}
	waitMailStatus(t, env.App.Store, "sent", 2)
	job := waitJobState(t, env.App.Pool, "completed")
	if job.Attempt != 2 {
		t.Errorf("job attempt = %d, want 2", job.Attempt)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// TestTemporaryFailureKeepsMailPending works the job by hand: after a 451
// the mail stays pending with the reason, Work reports an error (so River
// retries, it does not cancel), and the next attempt delivers it.
func TestTemporaryFailureKeepsMailPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	srv := mailtest.NewServer(t)
	srv.FailTemporarily(1)
	w := newWorker(srv, st)
	m, err := st.MailOutboxAdd(ctx, "bea@example.nl", "Wachtwoord herstellen", "Beste Bea", "pending")
	if err != nil {
		t.Fatal(err)
	}

	err = w.Work(ctx, handJob(m.ID, 1))
	var cancel *river.JobCancelError
	if err == nil || errors.As(err, &cancel) {
		t.Fatalf("first attempt = %v, want an error River retries", err)
	}
	got, _ := st.MailOutboxGet(ctx, m.ID)
	if got.Status != "pending" || got.Attempts != 1 || !strings.Contains(got.LastError, "451") {
		t.Errorf("after a temporary failure: %+v, want pending, 1 attempt, the 451", got)
	}

	if err := w.Work(ctx, handJob(m.ID, 2)); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	got, _ = st.MailOutboxGet(ctx, m.ID)
	if got.Status != "sent" || got.Attempts != 2 || got.LastError != "" {
		t.Errorf("after the retry: %+v, want sent", got)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// handJob is a job as River hands it to Work.
func handJob(outboxID int64, attempt int) *river.Job[outbox.DeliverArgs] {
	return &river.Job[outbox.DeliverArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Kind: "mail_deliver", Queue: outbox.Queue, Attempt: attempt, MaxAttempts: 8},
		Args:   outbox.DeliverArgs{OutboxID: outboxID},
	}
}

func TestSentMailIsNotSentAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	srv := mailtest.NewServer(t)
	w := newWorker(srv, st)
	m, err := st.MailOutboxAdd(ctx, "bea@example.nl", "Uitnodiging", "Welkom", "pending")
	if err != nil {
		t.Fatal(err)
	}

	// A retried job after a lost acknowledgement runs Work again.
	for attempt := 1; attempt <= 2; attempt++ {
		if err := w.Work(ctx, handJob(m.ID, attempt)); err != nil {
			t.Fatalf("Work attempt %d: %v", attempt, err)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages after working the job twice, want 1", n)
	}
	got, err := st.MailOutboxGet(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "sent" || got.Attempts != 1 {
		t.Errorf("outbox = %+v, want sent after 1 attempt", got)
	}
}

func TestLastAttemptMarksFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	srv := mailtest.NewServer(t)
	srv.FailTemporarily(1)
	m, err := st.MailOutboxAdd(ctx, "bea@example.nl", "Uitnodiging", "Welkom", "pending")
	if err != nil {
		t.Fatal(err)
	}
	err = newWorker(srv, st).Work(ctx, handJob(m.ID, 8))
	if err == nil {
		t.Fatal("Work succeeded against a server that answers 451")
	}
	got, _ := st.MailOutboxGet(ctx, m.ID)
	if got.Status != "failed" || !strings.Contains(got.LastError, "451") {
		t.Errorf("after the last attempt: %+v; want failed, not pending forever", got)
	}
}

func TestJobForMissingMailIsCancelled(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	srv := mailtest.NewServer(t)
	err := newWorker(srv, st).Work(context.Background(), handJob(4242, 1))
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Errorf("Work for a missing mail = %v, want a cancelled job (no retries)", err)
	}
}

func TestWithoutSMTPMailIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]
	if err := env.App.Auth.RequestReset(ctx, curator.Email, "127.0.0.1"); err != nil {
		t.Fatalf("RequestReset: %v", err)
	}
	m := onlyMail(t, env.App.Store)
	if m.Status != "stored" || m.To != curator.Email || m.Subject != "Wachtwoord herstellen" {
		t.Errorf("outbox = %+v, want the mail stored for admins", m)
	}
	if !strings.Contains(m.Text, env.Server.URL+"/wachtwoord-herstellen/") {
		t.Errorf("stored text lacks the reset link:\n%s", m.Text)
	}
	if jobs := deliveryJobs(t, env.App.Pool); len(jobs) != 0 {
		t.Errorf("delivery jobs queued without SMTP: %+v", jobs)
	}
}

func TestEnqueueIsTransactional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	// An insert-only River client, as one-shot commands use.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ob := outbox.New(client, true)
	boom := errors.New("the change failed")

	err = st.InTx(ctx, func(tx *store.Store) error {
		if err := ob.Enqueue(ctx, tx, "bea@example.nl", "Wachtwoord herstellen", "tekst"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if ms, _ := st.MailOutboxList(ctx, 10); len(ms) != 0 {
		t.Errorf("rolled back change left %d outbox mails", len(ms))
	}
	if jobs := deliveryJobs(t, pool); len(jobs) != 0 {
		t.Errorf("rolled back change left delivery jobs: %+v", jobs)
	}

	// Committed: the mail and its job appear together.
	err = st.InTx(ctx, func(tx *store.Store) error {
		return ob.Enqueue(ctx, tx, "bea@example.nl", "Wachtwoord herstellen", "tekst")
	})
	if err != nil {
		t.Fatal(err)
	}
	m := onlyMail(t, st)
	if m.Status != "pending" {
		t.Errorf("status = %q, want pending", m.Status)
	}
	jobs := deliveryJobs(t, pool)
	if len(jobs) != 1 || jobs[0].OutboxID != m.ID || jobs[0].Queue != outbox.Queue || jobs[0].State != "available" || jobs[0].MaxAttempts != 8 {
		t.Errorf("jobs = %+v, want one available job for mail %d in queue %s", jobs, m.ID, outbox.Queue)
	}
}

// TestEnqueueNeedsTransaction: outside a transaction the job could be lost
// after the mail was stored, so Enqueue refuses, and leaves no mail behind
// that would show as pending forever.
func TestEnqueueNeedsTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.New(client, true).Enqueue(ctx, st, "bea@example.nl", "Onderwerp", "tekst"); err == nil {
		t.Fatal("Enqueue with delivery outside a transaction succeeded")
	}
	if ms, _ := st.MailOutboxList(ctx, 10); len(ms) != 0 {
		t.Errorf("refused Enqueue left a mail in the outbox: %+v", ms[0])
	}
	if jobs := deliveryJobs(t, pool); len(jobs) != 0 {
		t.Errorf("jobs = %+v", jobs)
	}

	// Without delivery no job is needed, so no transaction either.
	if err := outbox.New(nil, false).Enqueue(ctx, st, "bea@example.nl", "Onderwerp", "tekst"); err != nil {
		t.Errorf("storing a mail without delivery: %v", err)
	}
	if m := onlyMail(t, st); m.Status != "stored" {
		t.Errorf("status = %q, want stored", m.Status)
	}
}
