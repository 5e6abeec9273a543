package portal_test

// End-to-end tests of supplier questions: asking (validation, double
// submit), the thread and its isolation between suppliers, answering and
// closing with their mails and audit entries, and the staff queue badges.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

func qDoc(t *testing.T, resp *http.Response, status int) *goquery.Document {
	t.Helper()
	body := apptest.Body(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d\n%s", resp.StatusCode, status, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// qAsk asks a question as the client and returns its id.
func qAsk(t *testing.T, env *apptest.Env, c *http.Client, subject, body string) int64 {
	t.Helper()
	resp := env.PostForm(t, c, "/ondersteuning/vragen", url.Values{"subject": {subject}, "body": {body}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("asking: status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/ondersteuning/vragen/"), 10, 64)
	if err != nil {
		t.Fatalf("asking redirected to %q", loc)
	}
	return id
}

func qCount(t *testing.T, env *apptest.Env, supplierID int64) int {
	t.Helper()
	qs, err := env.App.Store.SupportQuestionsBySupplier(context.Background(), supplierID)
	if err != nil {
		t.Fatal(err)
	}
	return len(qs)
}

func qMailsTo(t *testing.T, env *apptest.Env, to, subject string) []store.OutboxMail {
	t.Helper()
	var out []store.OutboxMail
	for _, m := range flowMails(t, env) {
		if m.To == to && m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

func qAudit(t *testing.T, env *apptest.Env, action audit.Action, id int64) bool {
	t.Helper()
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: action, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.SubjectID == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func TestQuestionAskValidation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sup := env.LoginRole(t, account.RoleSupplier)

	doc := qDoc(t, env.PostForm(t, sup, "/ondersteuning/vragen", url.Values{"subject": {""}, "body": {"Mijn vraag"}}), 422)
	if got := doc.Find(`[data-testid="error-subject"]`).Text(); got != "Vul het onderwerp in." {
		t.Errorf("subject error = %q", got)
	}
	if got := doc.Find(`textarea[name="body"]`).Text(); got != "Mijn vraag" {
		t.Errorf("body not kept: %q", got)
	}
	doc = qDoc(t, env.PostForm(t, sup, "/ondersteuning/vragen", url.Values{"subject": {strings.Repeat("x", 201)}, "body": {" "}}), 422)
	if got := doc.Find(`[data-testid="error-subject"]`).Text(); got != "Het onderwerp mag hoogstens 200 tekens lang zijn." {
		t.Errorf("subject error = %q", got)
	}
	if got := doc.Find(`[data-testid="error-body"]`).Text(); got != "Vul uw vraag in." {
		t.Errorf("body error = %q", got)
	}
	if n := qCount(t, env, env.Supplier.ID); n != 0 {
		t.Errorf("%d questions stored after invalid posts", n)
	}
}

func TestQuestionAskDoubleSubmitAndIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sup := env.LoginRole(t, account.RoleSupplier)
	id := qAsk(t, env, sup, "Koppeling Shopify", "Hoe test ik de koppeling?")
	if again := qAsk(t, env, sup, "Koppeling Shopify", "Hoe test ik de koppeling?"); again != id {
		t.Errorf("double submit made question %d next to %d", again, id)
	}
	if n := qCount(t, env, env.Supplier.ID); n != 1 {
		t.Errorf("%d questions after a double submit, want 1", n)
	}
	if !qAudit(t, env, "support.question_asked", id) {
		t.Error("no audit entry for asking")
	}

	doc := qDoc(t, env.Get(t, sup, "/ondersteuning/vragen"), 200)
	if doc.Find(`[data-testid="question-row"]`).Length() != 1 {
		t.Error("own question not listed")
	}
	if got := doc.Find(`[data-testid="question-status"]`).Text(); got != "Open" {
		t.Errorf("status = %q", got)
	}
	if got := doc.Find(`[data-testid="question-due-text"]`).Text(); !strings.Contains(got, "werkdag") && !strings.Contains(got, "vandaag") {
		t.Errorf("due text = %q", got)
	}

	other := env.Login(t, env.OtherSupplierUser.Email)
	if resp := env.Get(t, other, "/ondersteuning/vragen/"+strconv.FormatInt(id, 10)); resp.StatusCode != 404 {
		t.Errorf("other supplier GET thread: %d, want 404", resp.StatusCode)
	}
	resp := env.PostForm(t, other, "/ondersteuning/vragen/"+strconv.FormatInt(id, 10), url.Values{"body": {"inbreken"}})
	apptest.Body(t, resp)
	if resp.StatusCode != 404 {
		t.Errorf("other supplier POST thread: %d, want 404", resp.StatusCode)
	}
	doc = qDoc(t, env.Get(t, other, "/ondersteuning/vragen"), 200)
	if doc.Find(`[data-testid="question-row"]`).Length() != 0 {
		t.Error("other supplier sees a foreign question")
	}
}

func TestQuestionAnswerAndFollowUp(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sup := env.LoginRole(t, account.RoleSupplier)
	staff := env.LoginRole(t, account.RoleSupport)
	id := qAsk(t, env, sup, "Retouren", "Hoe verwerk ik een retour?")
	path := "/beheer/vragen/" + strconv.FormatInt(id, 10)
	before, _ := env.App.Store.SupportQuestionGet(context.Background(), id)

	doc := qDoc(t, env.PostForm(t, staff, path+"/antwoord", url.Values{"body": {"  "}}), 422)
	if got := doc.Find(`[data-testid="error-body"]`).Text(); got != "Vul het antwoord in." {
		t.Errorf("answer error = %q", got)
	}
	resp := env.PostForm(t, staff, path+"/antwoord", url.Values{"body": {"Via het retourformulier."}})
	apptest.Body(t, resp)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != path {
		t.Fatalf("answer: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q, err := env.App.Store.SupportQuestionGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != "answered" || q.AnsweredAt == nil {
		t.Errorf("after answer: status %q, answered_at %v", q.Status, q.AnsweredAt)
	}
	mails := qMailsTo(t, env, env.Users[account.RoleSupplier].Email, "Uw vraag is beantwoord")
	if len(mails) != 1 {
		t.Fatalf("%d answer mails", len(mails))
	}
	if mails[0].Status != "stored" || !strings.Contains(mails[0].Text, "/ondersteuning/vragen/"+strconv.FormatInt(id, 10)) {
		t.Errorf("answer mail: status %q, text %q", mails[0].Status, mails[0].Text)
	}
	if !qAudit(t, env, "support.question_answered", id) {
		t.Error("no audit entry for answering")
	}

	own := "/ondersteuning/vragen/" + strconv.FormatInt(id, 10)
	doc = qDoc(t, env.Get(t, sup, own), 200)
	if got := doc.Find(`[data-testid="message-staff"]`).Text(); !strings.Contains(got, "Via het retourformulier.") {
		t.Errorf("supplier does not see the answer: %q", got)
	}
	// A follow-up re-opens the question and keeps the due date.
	resp = env.PostForm(t, sup, own, url.Values{"body": {"En bij een ruil?"}})
	apptest.Body(t, resp)
	if resp.StatusCode != 303 {
		t.Fatalf("follow-up: %d", resp.StatusCode)
	}
	q, _ = env.App.Store.SupportQuestionGet(context.Background(), id)
	if q.Status != "open" || !q.DueAt.Equal(before.DueAt) {
		t.Errorf("after follow-up: status %q, due %v (was %v)", q.Status, q.DueAt, before.DueAt)
	}
}

func TestQuestionCloseNotAnswerable(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sup := env.LoginRole(t, account.RoleSupplier)
	admin := env.LoginRole(t, account.RoleAdmin)
	id := qAsk(t, env, sup, "Firewall", "Welke firewall gebruikt u?")
	path := "/beheer/vragen/" + strconv.FormatInt(id, 10)

	doc := qDoc(t, env.Get(t, admin, path), 200)
	if !strings.Contains(doc.Find(`[data-testid="close-explain"]`).Text(), "beveiligingsdetails") {
		t.Error("close form does not explain the tender's ground")
	}
	doc = qDoc(t, env.PostForm(t, admin, path+"/sluiten", url.Values{"reason": {""}}), 422)
	if got := doc.Find(`[data-testid="error-reason"]`).Text(); got != "Vul de reden in." {
		t.Errorf("reason error = %q", got)
	}
	reason := "Het antwoord zou beveiligingsdetails van het platform prijsgeven."
	resp := env.PostForm(t, admin, path+"/sluiten", url.Values{"reason": {reason}})
	apptest.Body(t, resp)
	if resp.StatusCode != 303 {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	mails := qMailsTo(t, env, env.Users[account.RoleSupplier].Email, "Uw vraag is gesloten")
	if len(mails) != 1 || mails[0].Status != "stored" || !strings.Contains(mails[0].Text, reason) {
		t.Errorf("close mails: %+v", mails)
	}
	if !qAudit(t, env, "support.question_closed", id) {
		t.Error("no audit entry for closing")
	}
	doc = qDoc(t, env.Get(t, sup, "/ondersteuning/vragen/"+strconv.FormatInt(id, 10)), 200)
	if got := doc.Find(`[data-testid="closed-reason"]`).Text(); !strings.Contains(got, reason) {
		t.Errorf("supplier does not see the reason: %q", got)
	}
	if doc.Find(`[data-testid="reply-submit"]`).Length() != 0 {
		t.Error("closed question still offers a follow-up")
	}
	// Nothing more once closed.
	resp = env.PostForm(t, admin, path+"/antwoord", url.Values{"body": {"toch"}})
	apptest.Body(t, resp)
	if resp.StatusCode != 422 {
		t.Errorf("answer on closed question: %d, want 422", resp.StatusCode)
	}
}

func TestQuestionQueueBadges(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sup := env.LoginRole(t, account.RoleSupplier)
	late := qAsk(t, env, sup, "Oude vraag", "Al lang open")
	fresh := qAsk(t, env, sup, "Nieuwe vraag", "Net gesteld")
	if _, err := env.App.Pool.Exec(context.Background(),
		`UPDATE support_questions SET received_at = now() - interval '20 days', due_at = now() - interval '10 days' WHERE id = $1`, late); err != nil {
		t.Fatal(err)
	}
	soon := qAsk(t, env, sup, "Bijna te laat", "Morgen")
	if _, err := env.App.Pool.Exec(context.Background(),
		`UPDATE support_questions SET due_at = now() + interval '1 hour' WHERE id = $1`, soon); err != nil {
		t.Fatal(err)
	}
	doc := qDoc(t, env.Get(t, env.LoginRole(t, account.RoleSupport), "/beheer/vragen?status=open"), 200)
	rows := doc.Find(`[data-testid="queue-row"]`)
	if rows.Length() != 3 {
		t.Fatalf("%d queue rows, want 3", rows.Length())
	}
	first := rows.First()
	if first.AttrOr("data-question-id", "") != "/beheer/vragen/"+strconv.FormatInt(late, 10) {
		t.Errorf("first row is %q, want the overdue question", first.AttrOr("data-question-id", ""))
	}
	if got := first.Find(`[data-testid="badge-late"]`).Text(); got != "Te laat" {
		t.Errorf("late badge = %q", got)
	}
	if got := first.Find(`[data-testid="question-due-text"]`).Text(); !strings.Contains(got, "te laat") {
		t.Errorf("late due text = %q", got)
	}
	if got := rows.Eq(1).Find(`[data-testid="badge-soon"]`).Text(); got != "Bijna" {
		t.Errorf("soon badge = %q", got)
	}
	if rows.Eq(2).AttrOr("data-question-id", "") != "/beheer/vragen/"+strconv.FormatInt(fresh, 10) ||
		rows.Eq(2).Find(`.badge-error, [data-testid^="badge-"]`).Length() != 0 {
		t.Error("fresh question last and without badge expected")
	}
	doc = qDoc(t, env.Get(t, env.LoginRole(t, account.RoleAdmin), "/beheer/vragen?status=beantwoord"), 200)
	if doc.Find(`[data-testid="queue-row"]`).Length() != 0 {
		t.Error("answered filter shows open questions")
	}
}
