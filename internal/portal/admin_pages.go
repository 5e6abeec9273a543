package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/outbox"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

func (s *Server) suppliersView(r *http.Request, name string, errs components.Errors) (admin.SuppliersView, error) {
	sups, err := s.store.SupplierList(r.Context())
	if err != nil {
		return admin.SuppliersView{}, err
	}
	users, err := s.store.UserList(r.Context(), store.UserFilter{Role: account.RoleSupplier})
	if err != nil {
		return admin.SuppliersView{}, err
	}
	counts := map[int64]int{}
	for _, u := range users {
		counts[*u.SupplierID]++
	}
	v := admin.SuppliersView{
		Name:   components.Field{Name: "name", Label: "Naam van de organisatie", Value: name, Error: errs["name"], Required: true},
		Errors: errs.Summary("name"),
	}
	for _, sp := range sups {
		v.Rows = append(v.Rows, admin.SupplierRow{Name: sp.Name, Users: counts[sp.ID], Created: components.Date(sp.CreatedAt)})
	}
	return v, nil
}

func (s *Server) suppliersList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.suppliersView(r, "", nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.Suppliers(s.withFlashes(w, r, s.pageFor(r, "Aanbieders")), v))
}

func (s *Server) supplierCreate(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	errs := components.Errors{}
	switch {
	case name == "":
		errs["name"] = "Vul de naam van de organisatie in."
	case utf8.RuneCountInString(name) > 200:
		errs["name"] = "De naam mag hoogstens 200 tekens lang zijn."
	default:
		if _, err := s.store.SupplierGetByName(r.Context(), name); err == nil {
			errs["name"] = "Er bestaat al een aanbieder met deze naam."
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if len(errs) == 0 {
		err := s.store.InTx(r.Context(), func(tx *store.Store) error {
			sp, err := tx.SupplierCreate(r.Context(), name)
			if err != nil {
				return err
			}
			return tx.AuditAdd(r.Context(), audit.Entry{Actor: s.actor(r), Action: audit.SupplierCreated,
				SubjectType: "supplier", SubjectID: strconv.FormatInt(sp.ID, 10), SupplierID: &sp.ID, Detail: map[string]string{"name": name}})
		})
		switch {
		case errors.Is(err, store.ErrConflict):
			// Lost a race with an identical submit.
			errs["name"] = "Er bestaat al een aanbieder met deze naam."
		case err != nil:
			return err
		default:
			s.flash(w, r, "success", "Aanbieder "+name+" is toegevoegd.")
			return redirect(w, r, "/beheer/aanbieders")
		}
	}
	v, err := s.suppliersView(r, name, errs)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.Suppliers(s.pageFor(r, "Aanbieders"), v))
}

const auditPageSize = 50

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := admin.AuditView{Action: q.Get("actie"), Actor: strings.TrimSpace(q.Get("door")), From: q.Get("van"), Until: q.Get("tot")}
	f := audit.Filter{Action: audit.Action(v.Action), Actor: v.Actor, Limit: auditPageSize + 1}
	if v.From != "" {
		t, err := time.ParseInLocation("2006-01-02", v.From, amsterdam())
		if err != nil {
			v.FormErr = "De datum bij ‘Vanaf’ is ongeldig."
		} else {
			f.From = &t
		}
	}
	if v.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", v.Until, amsterdam())
		if err != nil {
			v.FormErr = strings.TrimSpace(v.FormErr + " De datum bij ‘Tot en met’ is ongeldig.")
		} else {
			end := t.AddDate(0, 0, 1)
			f.Until = &end
		}
	}
	if f.From != nil && f.Until != nil && !f.From.Before(*f.Until) {
		v.FormErr = "‘Vanaf’ ligt na ‘Tot en met’; pas de datums aan."
	}
	if before, err := strconv.ParseInt(q.Get("voor"), 10, 64); err == nil && before > 0 {
		f.BeforeID = before
	}
	actions, err := s.store.AuditActions(r.Context())
	if err != nil {
		return err
	}
	for _, a := range actions {
		v.Actions = append(v.Actions, admin.Option{Value: string(a), Label: a.Label()})
	}
	sort.Slice(v.Actions, func(i, j int) bool { return v.Actions[i].Label < v.Actions[j].Label })
	if v.FormErr == "" {
		entries, err := s.store.AuditList(r.Context(), f)
		if err != nil {
			return err
		}
		if len(entries) > auditPageSize {
			entries = entries[:auditPageSize]
			next := url.Values{}
			for k, vals := range q {
				if k != "voor" {
					next[k] = vals
				}
			}
			next.Set("voor", strconv.FormatInt(entries[len(entries)-1].ID, 10))
			v.NextHref = "/beheer/audit?" + next.Encode()
		}
		for _, e := range entries {
			v.Rows = append(v.Rows, auditRow(e))
		}
	}
	if isHTMX(r) {
		return s.render(w, r, admin.AuditResults(v))
	}
	return s.render(w, r, admin.Audit(s.withFlashes(w, r, s.pageFor(r, "Auditlog")), v))
}

// Dutch names for what audit entries are about and for their details.
var (
	auditSubjects = map[string]string{"user": "Gebruiker", "supplier": "Aanbieder", "application": "Aanmelding",
		"requirement": "Toelatingseis", "api_key": "API-sleutel", "test_slot": "Testmoment", "test_booking": "Integratietest",
		"product": "Product", "platform_category": "Platformcategorie", "catalog_category": "Categorie van aanbieder",
		"rejection_reason": "Afwijsreden", "bulk_decision": "Bulkbesluit", "curation_settings": "Curatie-instellingen"}
	auditDetails = map[string]string{
		"email": "e-mailadres", "role": "rol", "from": "van", "to": "naar", "reason": "reden",
		"sessions": "sessies", "name": "naam", "result": "resultaat", "label": "omschrijving", "active": "actief",
		"checked": "aangevinkt", "environment": "omgeving", "prefix": "voorvoegsel", "kvk": "KvK-nummer",
		"minutes": "duur (minuten)", "staff": "begeleiding", "start": "begin", "outcome": "uitkomst",
		"findings": "bevindingen", "slot": "testmoment",
		"version": "versie", "changes": "wijzigingen", "bulk": "bulkbesluit", "total": "aantal", "action": "besluit",
		"price_increase_percent": "prijsdrempel (%)", "keep_visible": "zichtbaar tijdens beoordeling", "position": "volgorde",
	}
	auditValues = map[string]string{"inactive": "account gedeactiveerd", "no active account": "geen actief account"}
)

func auditRow(e audit.Entry) admin.AuditRow {
	row := admin.AuditRow{At: components.DateTime(e.At), Actor: actorLabel(e.Actor), IP: e.Actor.IP, Action: e.Action.Label()}
	if e.SubjectType != "" {
		row.Subject = cmp.Or(auditSubjects[e.SubjectType], e.SubjectType) + " " + e.SubjectID
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := e.Detail[k]
		if role := account.Role(v); role.Valid() {
			v = role.Label()
		} else if st := admission.State(v); (k == "from" || k == "to") && st.Valid() {
			v = st.Label()
		}
		parts[i] = fmt.Sprintf("%s: %s", cmp.Or(auditDetails[k], k), cmp.Or(auditValues[v], v))
	}
	row.Detail = strings.Join(parts, ", ")
	return row
}

func amsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}

var outboxStatus = map[string]string{
	"pending": "Wacht op verzending",
	"sent":    "Verzonden",
	"failed":  "Mislukt",
	"stored":  "Alleen bewaard",
}

func outboxRow(m store.OutboxMail) admin.OutboxRow {
	return admin.OutboxRow{ID: m.ID, Created: components.DateTime(m.CreatedAt), To: m.To, Subject: m.Subject,
		Status: outboxStatus[m.Status], StatusKey: m.Status, LastError: m.LastError, Text: m.Text}
}

func (s *Server) outboxList(w http.ResponseWriter, r *http.Request) error {
	mails, err := s.store.MailOutboxList(r.Context(), 200)
	if err != nil {
		return err
	}
	ids := make([]int64, len(mails))
	for i, m := range mails {
		ids[i] = m.ID
	}
	attachments, err := s.store.MailOutboxAttachmentNames(r.Context(), ids)
	if err != nil {
		return err
	}
	v := admin.OutboxView{SMTPActive: s.cfg.SMTP.Host != ""}
	for _, m := range mails {
		row := outboxRow(m)
		row.Attachments = attachments[m.ID]
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, r, admin.Outbox(s.withFlashes(w, r, s.pageFor(r, "Uitgaande e-mail")), v))
}

func (s *Server) outboxShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.store.MailOutboxGet(r.Context(), id)
	if err != nil {
		return err
	}
	attachments, err := s.store.MailOutboxAttachmentNames(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	row := outboxRow(m)
	row.Attachments = attachments[id]
	if s.cfg.SMTP.Host != "" {
		// With a mail server, one-time links are for their recipients only;
		// without one (a demo) the outbox is how they are read.
		row.Text = outbox.RedactLinks(row.Text)
	}
	// The body may hold live one-time links: keep them out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.render(w, r, admin.OutboxMail(s.pageFor(r, m.Subject), row))
}
