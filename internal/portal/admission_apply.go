package portal

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/apply"
	"github.com/wujw/ohis/web/components"
)

// Abuse protection of the public form, without a third-party captcha: at
// most applyLimit stored applications per client address per applyWindow,
// counted in PostgreSQL so every portal instance shares the count.
const (
	applyLimit  = 5
	applyWindow = time.Hour
)

// applyHoneypot is the name of a form field people never see; software
// that fills in every field fills it in too.
const applyHoneypot = "website_url"

// applyFields is the order of the form's fields, for the error summary.
var applyFields = []string{"company_name", "kvk", "vat_id", "iban", "contact_name", "email", "phone", "website", "platform", "accept_terms"}

func applyFormView(in supplier.ApplicationInput, errs components.Errors) apply.FormView {
	field := func(name, label, typ, value, hint, autocomplete string) components.Field {
		return components.Field{Name: name, Label: label, Type: typ, Value: value, Hint: hint,
			Autocomplete: autocomplete, Required: true, Error: errs[name]}
	}
	v := apply.FormView{
		CompanyName: field("company_name", "Bedrijfsnaam", "", in.CompanyName, "Zoals ingeschreven bij de KvK.", "organization"),
		KvK:         field("kvk", "KvK-nummer", "", in.KvK, "8 cijfers, bijvoorbeeld 12345678.", "off"),
		VATID:       field("vat_id", "Btw-identificatienummer", "", in.VATID, "NL + 9 cijfers + B + 2 cijfers, bijvoorbeeld NL123456789B01.", "off"),
		IBAN:        field("iban", "IBAN", "", in.IBAN, "Een rekening in het SEPA-gebied, bijvoorbeeld NL91 ABNA 0417 1643 00. Spaties mogen.", "off"),
		ContactName: field("contact_name", "Naam contactpersoon", "", in.ContactName, "Deze persoon ontvangt na toelating de uitnodiging voor het portaal.", "name"),
		Email:       field("email", "E-mailadres", "email", in.Email, "", "email"),
		Phone:       field("phone", "Telefoonnummer", "tel", in.Phone, "Nederlands of internationaal, bijvoorbeeld 020 123 4567 of +32 470 12 34 56.", "tel"),
		Website:     field("website", "Adres van de webshop", "url", in.Website, "Bijvoorbeeld https://www.uwwinkel.nl.", "url"),
		Platform:    in.Platform, PlatformErr: errs["platform"],
		AcceptTerms: in.AcceptTerms, TermsErr: errs["accept_terms"],
		Errors: errs.Summary(applyFields...),
	}
	v.CompanyName.Autofocus = len(errs) == 0 && in.CompanyName == ""
	for _, p := range admission.Platforms {
		v.Platforms = append(v.Platforms, apply.Option{Value: string(p), Label: p.Label()})
	}
	return v
}

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request) error {
	p := s.withFlashes(w, r, s.pageFor(r, "Aanmelden als aanbieder"))
	return s.render(w, r, apply.Form(p, applyFormView(supplier.ApplicationInput{}, nil)))
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) error {
	in := supplier.ApplicationInput{
		CompanyName: r.PostFormValue("company_name"), KvK: r.PostFormValue("kvk"), VATID: r.PostFormValue("vat_id"),
		IBAN: r.PostFormValue("iban"), ContactName: r.PostFormValue("contact_name"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Website: r.PostFormValue("website"), Platform: r.PostFormValue("platform"),
		AcceptTerms: r.PostFormValue("accept_terms") != "",
	}
	ip := s.clientIP(r)
	if strings.TrimSpace(r.PostFormValue(applyHoneypot)) != "" {
		// A bot: it gets the thank-you page, so it learns nothing, and
		// nothing is stored or mailed.
		s.logger.Warn("application honeypot filled; nothing stored", slog.String("request_id", requestID(r.Context())),
			slog.String("client_ip", ip))
		return redirect(w, r, "/aanmelden/ontvangen")
	}
	n, err := s.store.ApplicationCountByClientIP(r.Context(), ip, s.now().Add(-applyWindow))
	if err != nil {
		return err
	}
	if n >= applyLimit {
		s.logger.Warn("application rate limit reached", slog.String("request_id", requestID(r.Context())),
			slog.String("client_ip", ip), slog.Int64("applications", n))
		v := applyFormView(in, nil)
		v.Throttled = true
		w.Header().Set("Retry-After", "3600")
		return s.renderStatus(w, r, http.StatusTooManyRequests, apply.Form(s.pageFor(r, "Aanmelden als aanbieder"), v))
	}
	_, err = s.supplier.Apply(r.Context(), in, ip)
	var fe supplier.FieldErrors
	switch {
	case errors.As(err, &fe):
		v := applyFormView(in, components.Errors(fe))
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, apply.Form(s.pageFor(r, "Aanmelden als aanbieder"), v))
	case err != nil:
		return err
	}
	return redirect(w, r, "/aanmelden/ontvangen")
}

func (s *Server) applyDone(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, apply.Done(s.pageFor(r, "Aanmelding ontvangen")))
}
