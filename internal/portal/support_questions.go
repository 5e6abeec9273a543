package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/support"
	"github.com/wujw/ohis/web/components"
	websupport "github.com/wujw/ohis/web/support"
)

// Audit events of supplier questions (issue 6).
const (
	auditQuestionAsked    audit.Action = "support.question_asked"
	auditQuestionAnswered audit.Action = "support.question_answered"
	auditQuestionClosed   audit.Action = "support.question_closed"
)

// questionCalendar decides due dates: Bevrijdingsdag per government
// practice (a day off in lustrum years only) unless configured as a day
// off every year.
func (s *Server) questionCalendar() support.Calendar {
	return support.Calendar{LiberationDayEveryYear: s.cfg.LiberationDayEveryYear}
}

func questionHref(id int64) string { return "/ondersteuning/vragen/" + strconv.FormatInt(id, 10) }

func questionStaffHref(id int64) string { return "/beheer/vragen/" + strconv.FormatInt(id, 10) }

func (s *Server) questionRow(q store.SupportQuestion, href string, now time.Time) websupport.QuestionRow {
	st := support.QuestionStatus(q.Status)
	badge := s.questionCalendar().QuestionBadgeAt(st, now, q.DueAt)
	return websupport.QuestionRow{
		ID: q.ID, Href: href, Subject: q.Subject, SupplierName: q.SupplierName,
		Status: q.Status, StatusLabel: st.Label(),
		Received: support.QuestionDateTime(q.ReceivedAt), Due: support.QuestionDate(q.DueAt),
		DueText: s.questionCalendar().QuestionDueText(now, q.DueAt),
		Badge:   string(badge), BadgeLabel: badge.Label(),
	}
}

// questionForm is the supplier's new question as posted.
type questionForm struct {
	Subject string `form:"subject" label:"het onderwerp" validate:"required,max=200"`
	Body    string `form:"body" label:"uw vraag" validate:"required,max=10000"`
}

// questionTextForm is one message text as posted.
type questionTextForm struct {
	Body string `form:"body" label:"het bericht" validate:"required,max=10000"`
}

type questionAnswerForm struct {
	Body string `form:"body" label:"het antwoord" validate:"required,max=10000"`
}

type questionCloseForm struct {
	Reason string `form:"reason" label:"de reden" validate:"required,max=2000"`
}

func questionBody(r *http.Request, name string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), "\r\n", "\n"))
}

// questionSupplierID is the logged-in supplier user's organisation.
func questionSupplierID(r *http.Request) (int64, error) {
	u := currentUser(r)
	if u == nil || u.SupplierID == nil {
		return 0, errForbidden
	}
	return *u.SupplierID, nil
}

func (s *Server) questionsOwnView(r *http.Request, f questionForm, errs components.Errors) (websupport.QuestionsOwnView, error) {
	supplierID, err := questionSupplierID(r)
	if err != nil {
		return websupport.QuestionsOwnView{}, err
	}
	qs, err := s.store.SupportQuestionsBySupplier(r.Context(), supplierID)
	if err != nil {
		return websupport.QuestionsOwnView{}, err
	}
	now := s.now()
	v := websupport.QuestionsOwnView{
		Subject: components.Field{Name: "subject", Label: "Onderwerp", Value: f.Subject, Error: errs["subject"], Required: true,
			Hint: "Hoogstens 200 tekens."},
		Body: websupport.QuestionTextField{Name: "body", Label: "Uw vraag", Value: f.Body, Error: errs["body"],
			Hint: "Deel geen wachtwoorden of API-sleutels."},
		Errors: errs.Summary("subject", "body"),
	}
	for _, q := range qs {
		v.Rows = append(v.Rows, s.questionRow(q, questionHref(q.ID), now))
	}
	return v, nil
}

func (s *Server) questionsOwn(w http.ResponseWriter, r *http.Request) error {
	v, err := s.questionsOwnView(r, questionForm{}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, websupport.QuestionsOwn(s.withFlashes(w, r, s.pageFor(r, "Vragen")), v))
}

func (s *Server) questionAsk(w http.ResponseWriter, r *http.Request) error {
	supplierID, err := questionSupplierID(r)
	if err != nil {
		return err
	}
	f := questionForm{Subject: strings.TrimSpace(r.PostFormValue("subject")), Body: questionBody(r, "body")}
	if errs := s.check(f); len(errs) > 0 {
		v, err := s.questionsOwnView(r, f, errs)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, websupport.QuestionsOwn(s.pageFor(r, "Vragen"), v))
	}
	u := currentUser(r)
	received := s.now()
	var id int64
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		qid, created, err := tx.SupportQuestionAsk(r.Context(), store.NewSupportQuestion{
			SupplierID: supplierID, AskedBy: u.ID, Subject: f.Subject, Body: f.Body,
			ReceivedAt: received, DueAt: s.questionCalendar().DueDate(received),
		})
		if err != nil {
			return err
		}
		id = qid
		if !created {
			return nil
		}
		return tx.AuditAdd(r.Context(), audit.Entry{
			Actor: s.actor(r), Action: auditQuestionAsked, SubjectType: "support_question",
			SubjectID: strconv.FormatInt(qid, 10), SupplierID: &supplierID,
			Detail: map[string]string{"subject": f.Subject},
		})
	})
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Uw vraag is ontvangen. U krijgt uiterlijk op "+
		support.QuestionDate(s.questionCalendar().DueDate(received))+" antwoord.")
	return redirect(w, r, questionHref(id))
}

// questionOwned returns the question if it belongs to the supplier of the
// logged-in user; another supplier's question is not found.
func (s *Server) questionOwned(r *http.Request) (store.SupportQuestion, error) {
	supplierID, err := questionSupplierID(r)
	if err != nil {
		return store.SupportQuestion{}, err
	}
	id, err := pathID(r)
	if err != nil {
		return store.SupportQuestion{}, err
	}
	q, err := s.store.SupportQuestionGet(r.Context(), id)
	if err != nil {
		return store.SupportQuestion{}, err
	}
	if q.SupplierID != supplierID {
		return store.SupportQuestion{}, errNotFound
	}
	return q, nil
}

func (s *Server) questionThreadView(ctx context.Context, q store.SupportQuestion, staff bool) (websupport.QuestionThreadView, error) {
	msgs, err := s.store.SupportMessages(ctx, q.ID)
	if err != nil {
		return websupport.QuestionThreadView{}, err
	}
	href := questionHref(q.ID)
	if staff {
		href = questionStaffHref(q.ID)
	}
	st := support.QuestionStatus(q.Status)
	v := websupport.QuestionThreadView{
		Staff: staff, Q: s.questionRow(q, href, s.now()), AskerName: q.AskerName, AskerEmail: q.AskerEmail,
		ClosedReason: q.ClosedReason,
		CanReply:     !staff && st.AcceptsFollowUp(), CanAct: staff && st.AcceptsStaffAction(),
		Reply:  websupport.QuestionTextField{Name: "body", Label: "Uw bericht"},
		Answer: websupport.QuestionTextField{Name: "body", Label: "Antwoord aan de aanbieder"},
		Reason: websupport.QuestionTextField{Name: "reason", Label: "Reden (de aanbieder ziet deze tekst)",
			Hint: "Bijvoorbeeld: het antwoord zou beveiligingsdetails van het platform prijsgeven."},
	}
	if !staff {
		// The badge is for staff only.
		v.Q.Badge, v.Q.BadgeLabel = "", ""
	}
	for _, m := range msgs {
		author := m.AuthorName
		if author == "" {
			author = m.AuthorEmail
		}
		v.Messages = append(v.Messages, websupport.QuestionMessage{
			Author: author, At: support.QuestionDateTime(m.CreatedAt), FromStaff: m.FromStaff,
			Paragraphs: strings.Split(m.Body, "\n"),
		})
	}
	return v, nil
}

func (s *Server) questionOwn(w http.ResponseWriter, r *http.Request) error {
	q, err := s.questionOwned(r)
	if err != nil {
		return err
	}
	v, err := s.questionThreadView(r.Context(), q, false)
	if err != nil {
		return err
	}
	return s.render(w, r, websupport.QuestionThread(s.withFlashes(w, r, s.pageFor(r, q.Subject)), v))
}

// questionReply adds a supplier's follow-up. It re-opens an answered
// question; the original due date stays.
func (s *Server) questionReply(w http.ResponseWriter, r *http.Request) error {
	q, err := s.questionOwned(r)
	if err != nil {
		return err
	}
	f := questionTextForm{Body: questionBody(r, "body")}
	errs := s.check(f)
	if len(errs) == 0 && !support.QuestionStatus(q.Status).AcceptsFollowUp() {
		errs = components.Errors{"body": "Deze vraag is gesloten; u kunt geen bericht meer toevoegen. Stel zo nodig een nieuwe vraag."}
	}
	if len(errs) > 0 {
		v, err := s.questionThreadView(r.Context(), q, false)
		if err != nil {
			return err
		}
		v.Reply.Value, v.Reply.Error, v.Errors = f.Body, errs["body"], errs.Summary("body")
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, websupport.QuestionThread(s.pageFor(r, q.Subject), v))
	}
	u := currentUser(r)
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		cur, err := tx.SupportQuestionLock(r.Context(), q.ID)
		if err != nil {
			return err
		}
		if !support.QuestionStatus(cur.Status).AcceptsFollowUp() {
			return errNotFound
		}
		if _, err := tx.SupportMessageAdd(r.Context(), q.ID, u.ID, f.Body, false); err != nil {
			return err
		}
		if cur.Status == string(support.QuestionAnswered) {
			return tx.SupportQuestionSetStatus(r.Context(), q.ID, string(support.QuestionOpen), "", cur.AnsweredAt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Uw bericht is toegevoegd.")
	return redirect(w, r, questionHref(q.ID))
}

var questionStatusFilter = map[string]support.QuestionStatus{
	"open": support.QuestionOpen, "beantwoord": support.QuestionAnswered, "gesloten": support.QuestionNotAnswerable,
}

func (s *Server) questionsQueue(w http.ResponseWriter, r *http.Request) error {
	v := websupport.QuestionQueueView{Statuses: []websupport.QuestionOption{
		{Value: "open", Label: support.QuestionOpen.Label()},
		{Value: "beantwoord", Label: support.QuestionAnswered.Label()},
		{Value: "gesloten", Label: support.QuestionNotAnswerable.Label()},
	}}
	status := ""
	if st, ok := questionStatusFilter[r.URL.Query().Get("status")]; ok {
		status, v.Status = string(st), r.URL.Query().Get("status")
	}
	qs, err := s.store.SupportQuestionQueue(r.Context(), status)
	if err != nil {
		return err
	}
	now := s.now()
	for _, q := range qs {
		v.Rows = append(v.Rows, s.questionRow(q, questionStaffHref(q.ID), now))
	}
	return s.render(w, r, websupport.QuestionQueue(s.withFlashes(w, r, s.pageFor(r, "Vragen van aanbieders")), v))
}

func (s *Server) questionStaffGet(r *http.Request) (store.SupportQuestion, error) {
	id, err := pathID(r)
	if err != nil {
		return store.SupportQuestion{}, err
	}
	return s.store.SupportQuestionGet(r.Context(), id)
}

func (s *Server) questionShow(w http.ResponseWriter, r *http.Request) error {
	q, err := s.questionStaffGet(r)
	if err != nil {
		return err
	}
	v, err := s.questionThreadView(r.Context(), q, true)
	if err != nil {
		return err
	}
	return s.render(w, r, websupport.QuestionThread(s.withFlashes(w, r, s.pageFor(r, q.Subject)), v))
}

// questionMail puts a mail in the outbox on the transaction: through the
// app's mailer when wired, otherwise as a row that is only stored (no SMTP)
// or pending.
func (s *Server) questionMail(ctx context.Context, tx *store.Store, to, subject, text string) error {
	return s.mailer.Enqueue(ctx, tx, to, subject, text)
}

func (s *Server) questionLink(id int64) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + questionHref(id)
}

// questionStaffInvalid re-renders the staff thread with a field error.
func (s *Server) questionStaffInvalid(w http.ResponseWriter, r *http.Request, q store.SupportQuestion, field, value string, errs components.Errors) error {
	v, err := s.questionThreadView(r.Context(), q, true)
	if err != nil {
		return err
	}
	if field == "reason" {
		v.Reason.Value, v.Reason.Error = value, errs["reason"]
	} else {
		v.Answer.Value, v.Answer.Error = value, errs["body"]
	}
	v.Errors = errs.Summary(field)
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, websupport.QuestionThread(s.pageFor(r, q.Subject), v))
}

const questionClosedText = "Deze vraag is al gesloten; er kan niets meer aan worden toegevoegd."

// errQuestionClosed: the question was closed between reading and locking it.
var errQuestionClosed = errors.New("question closed meanwhile")

// questionDone finishes a staff action: a question a colleague closed
// meanwhile is a Dutch flash, not an error page.
func (s *Server) questionDone(w http.ResponseWriter, r *http.Request, id int64, err error, success string) error {
	switch {
	case errors.Is(err, errQuestionClosed):
		s.flash(w, r, "error", questionClosedText)
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", success)
	}
	return redirect(w, r, questionStaffHref(id))
}

func (s *Server) questionAnswer(w http.ResponseWriter, r *http.Request) error {
	q, err := s.questionStaffGet(r)
	if err != nil {
		return err
	}
	f := questionAnswerForm{Body: questionBody(r, "body")}
	errs := s.check(f)
	if len(errs) == 0 && !support.QuestionStatus(q.Status).AcceptsStaffAction() {
		errs = components.Errors{"body": questionClosedText}
	}
	if len(errs) > 0 {
		return s.questionStaffInvalid(w, r, q, "body", f.Body, errs)
	}
	u := currentUser(r)
	now := s.now()
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		cur, err := tx.SupportQuestionLock(r.Context(), q.ID)
		if err != nil {
			return err
		}
		if !support.QuestionStatus(cur.Status).AcceptsStaffAction() {
			return errQuestionClosed // closed by a colleague meanwhile
		}
		if _, err := tx.SupportMessageAdd(r.Context(), q.ID, u.ID, f.Body, true); err != nil {
			return err
		}
		if err := tx.SupportQuestionSetStatus(r.Context(), q.ID, string(support.QuestionAnswered), "", &now); err != nil {
			return err
		}
		if err := tx.AuditAdd(r.Context(), audit.Entry{
			Actor: s.actor(r), Action: auditQuestionAnswered, SubjectType: "support_question",
			SubjectID: strconv.FormatInt(q.ID, 10), SupplierID: &q.SupplierID,
		}); err != nil {
			return err
		}
		return s.questionMail(r.Context(), tx, q.AskerEmail, "Uw vraag is beantwoord",
			"Beste "+questionGreeting(q)+",\n\nUw vraag \""+q.Subject+"\" is beantwoord. Lees het antwoord in het portaal:\n\n"+
				s.questionLink(q.ID)+"\n\nMet vriendelijke groet,\nOHIS-ondersteuning\n")
	})
	return s.questionDone(w, r, q.ID, err, "Het antwoord is verstuurd naar "+q.AskerEmail+".")
}

func questionGreeting(q store.SupportQuestion) string {
	if q.AskerName != "" {
		return q.AskerName
	}
	return "aanbieder"
}

func (s *Server) questionClose(w http.ResponseWriter, r *http.Request) error {
	q, err := s.questionStaffGet(r)
	if err != nil {
		return err
	}
	f := questionCloseForm{Reason: questionBody(r, "reason")}
	errs := s.check(f)
	if len(errs) == 0 && !support.QuestionStatus(q.Status).AcceptsStaffAction() {
		errs = components.Errors{"reason": questionClosedText}
	}
	if len(errs) > 0 {
		return s.questionStaffInvalid(w, r, q, "reason", f.Reason, errs)
	}
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		cur, err := tx.SupportQuestionLock(r.Context(), q.ID)
		if err != nil {
			return err
		}
		if !support.QuestionStatus(cur.Status).AcceptsStaffAction() {
			return errQuestionClosed // closed by a colleague meanwhile
		}
		if err := tx.SupportQuestionSetStatus(r.Context(), q.ID, string(support.QuestionNotAnswerable), f.Reason, cur.AnsweredAt); err != nil {
			return err
		}
		if err := tx.AuditAdd(r.Context(), audit.Entry{
			Actor: s.actor(r), Action: auditQuestionClosed, SubjectType: "support_question",
			SubjectID: strconv.FormatInt(q.ID, 10), SupplierID: &q.SupplierID,
			Detail: map[string]string{"reason": f.Reason},
		}); err != nil {
			return err
		}
		return s.questionMail(r.Context(), tx, q.AskerEmail, "Uw vraag is gesloten",
			"Beste "+questionGreeting(q)+",\n\nUw vraag \""+q.Subject+"\" is gesloten zonder antwoord. De reden:\n\n"+
				f.Reason+"\n\nU leest de vraag en de reden in het portaal:\n\n"+s.questionLink(q.ID)+
				"\n\nMet vriendelijke groet,\nOHIS-ondersteuning\n")
	})
	return s.questionDone(w, r, q.ID, err, "De vraag is gesloten; de aanbieder is ingelicht.")
}
