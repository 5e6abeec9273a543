package portal

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/wujw/ohis/docs"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/components"
	supplierweb "github.com/wujw/ohis/web/supplier"
)

// The supplier's side of admission steps 3–6: API keys per environment,
// the integration guide and reporting the integration ready. The supplier
// always comes from the logged-in user, never from the request.

// ownApplication returns the logged-in supplier's application; ok is false
// for an organisation without one (added by an admin directly).
func (s *Server) ownApplication(r *http.Request) (a admission.Application, ok bool, err error) {
	a, err = s.store.ApplicationBySupplier(r.Context(), *currentUser(r).SupplierID)
	if errors.Is(err, store.ErrNotFound) {
		return admission.Application{}, false, nil
	}
	return a, err == nil, err
}

// admittedStates are the states in which a supplier has environments, keys
// and the guide (steps 3–6).
func admittedState(st admission.State) bool {
	switch st {
	case admission.Admitted, admission.IntegrationReady, admission.TestBooked, admission.Production:
		return true
	}
	return false
}

const notAdmittedKeys = "API-sleutels zijn beschikbaar zodra u als aanbieder bent toegelaten (stap 3 van de toelating)."

// keyForm is the new-key form as posted.
type keyForm struct {
	Environment string
	Name        string
}

func (s *Server) keysPageView(r *http.Request, f keyForm, errs components.Errors) (supplierweb.KeysView, error) {
	a, ok, err := s.ownApplication(r)
	if err != nil {
		return supplierweb.KeysView{}, err
	}
	keys, err := s.store.APIKeyList(r.Context(), *currentUser(r).SupplierID)
	if err != nil {
		return supplierweb.KeysView{}, err
	}
	v := supplierweb.KeysView{
		Environment: f.Environment, EnvError: errs["environment"],
		Name: components.Field{Name: "name", Label: "Naam van de sleutel", Value: f.Name, Error: errs["name"], Autocomplete: "off",
			Hint: "Bijvoorbeeld het systeem dat de sleutel gebruikt: “Webshop-koppeling acceptatie”."},
		Errors: errs.Summary("environment", "name"),
	}
	switch {
	case ok && a.State == admission.Excluded:
		v.Blocked = "U bent uitgesloten van deelname; u kunt geen API-sleutels meer aanmaken."
	case !ok || !admittedState(a.State):
		v.Blocked = notAdmittedKeys
	}
	if !ok || a.State != admission.Production {
		v.ProductionBlocked = "Beschikbaar zodra u na een geslaagde integratietest tot productie bent toegelaten."
	}
	if v.Environment == "" {
		v.Environment = string(admission.EnvAcceptance)
		if a.State == admission.Production {
			v.Environment = string(admission.EnvProduction)
		}
	}
	for _, env := range admission.Environments {
		opt := supplierweb.EnvOption{Value: string(env), Label: env.Label(), Prefix: env.KeyPrefix()}
		if env == admission.EnvProduction {
			opt.Hint = v.ProductionBlocked
		}
		v.Environments = append(v.Environments, opt)
		g := supplierweb.KeyGroup{Environment: string(env), Label: env.Label(), Prefix: env.KeyPrefix()}
		for _, k := range keys {
			if k.Environment != env {
				continue
			}
			row := supplierweb.KeyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Created: components.DateTime(k.CreatedAt),
				LastUsed: components.DateTimePtr(k.LastUsedAt), Revoked: k.RevokedAt != nil, RevokedAt: components.DateTimePtr(k.RevokedAt)}
			g.Keys = append(g.Keys, row)
		}
		v.Groups = append(v.Groups, g)
	}
	return v, nil
}

func (s *Server) apiKeysList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.keysPageView(r, keyForm{}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, supplierweb.Keys(s.withFlashes(w, r, s.pageFor(r, "API-sleutels")), v))
}

// apiKeyCreate creates a key and shows its secret on the page it answers
// with: not a redirect, so the secret never travels through the session
// cookie, and the page is not stored (Cache-Control: no-store).
func (s *Server) apiKeyCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	supplierID := *currentUser(r).SupplierID
	f := keyForm{Environment: r.PostFormValue("environment"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	env := admission.Environment(f.Environment)
	errs := components.Errors{}
	refused := ""
	// A key is named: a second live key with the same name in the same
	// environment is refused, so a double submit creates nothing twice.
	if env.Valid() && f.Name != "" {
		keys, err := s.store.APIKeyList(ctx, supplierID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.Environment == env && k.RevokedAt == nil && strings.EqualFold(k.Name, f.Name) {
				errs["name"] = fmt.Sprintf("U heeft al een actieve sleutel met de naam “%s” voor de omgeving %s. Kies een andere naam, of trek die sleutel eerst in.", k.Name, env.Label())
			}
		}
	}
	if len(errs) == 0 {
		key, err := s.supplier.CreateAPIKey(ctx, s.actor(r), supplierID, env, f.Name)
		var fe supplier.FieldErrors
		var na supplier.ErrNotAllowed
		switch {
		case errors.As(err, &fe):
			for field, msg := range fe {
				errs[field] = msg
			}
		case errors.As(err, &na):
			refused = na.Reason
		case errors.Is(err, store.ErrNotFound):
			refused = notAdmittedKeys
		case err != nil:
			return err
		default:
			v, err := s.keysPageView(r, keyForm{Environment: f.Environment}, nil)
			if err != nil {
				return err
			}
			v.Created = &supplierweb.CreatedKey{Name: key.Name, EnvLabel: key.Environment.Label(), Secret: key.Secret}
			return s.render(w, r, supplierweb.Keys(s.pageFor(r, "API-sleutels"), v))
		}
	}
	v, err := s.keysPageView(r, f, errs)
	if err != nil {
		return err
	}
	v.Refused = refused
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, supplierweb.Keys(s.pageFor(r, "API-sleutels"), v))
}

// apiKeyRevoke revokes one of the supplier's own keys. Another supplier's
// key is a 404, exactly like a key that does not exist.
func (s *Server) apiKeyRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	supplierID := *currentUser(r).SupplierID
	key, err := s.supplier.RevokeAPIKey(r.Context(), s.actor(r), supplierID, id)
	if errors.Is(err, store.ErrNotFound) {
		// A double submit finds its own key already revoked: say so.
		keys, lerr := s.store.APIKeyList(r.Context(), supplierID)
		if lerr != nil {
			return lerr
		}
		for _, k := range keys {
			if k.ID == id && k.RevokedAt != nil {
				s.flash(w, r, "info", fmt.Sprintf("De sleutel “%s” was al ingetrokken.", k.Name))
				return redirect(w, r, "/koppeling/sleutels")
			}
		}
		return errNotFound
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", fmt.Sprintf("De sleutel “%s” (%s…) is ingetrokken. Systemen die hem gebruiken, hebben vanaf nu geen toegang meer.", key.Name, key.Prefix))
	return redirect(w, r, "/koppeling/sleutels")
}

// reportReady is the supplier reporting its integration works (step 4).
func (s *Server) reportReady(w http.ResponseWriter, r *http.Request) error {
	err := s.supplier.ReportReady(r.Context(), s.actor(r), *currentUser(r).SupplierID)
	if err == nil {
		s.flash(w, r, "success", "Uw koppeling is gereed gemeld. Boek nu een moment voor de integratietest.")
		return redirect(w, r, "/")
	}
	var na supplier.ErrNotAllowed
	switch {
	case errors.As(err, &na):
		// A double submit finds the step already taken.
		if a, ok, aerr := s.ownApplication(r); aerr == nil && ok && a.State == admission.IntegrationReady {
			s.flash(w, r, "info", "Uw koppeling is al gereed gemeld.")
		} else {
			s.flash(w, r, "error", na.Reason)
		}
	case errors.Is(err, store.ErrNotFound):
		s.flash(w, r, "error", "U kunt uw koppeling gereed melden zodra u als aanbieder bent toegelaten.")
	case errors.As(err, new(admission.ErrTransition)):
		s.flash(w, r, "error", "Uw toelating is intussen gewijzigd; bekijk hieronder waar u nu staat.")
	default:
		return err
	}
	return redirect(w, r, "/")
}

// withdrawReady takes back "integration ready" before a test is booked.
func (s *Server) withdrawReady(w http.ResponseWriter, r *http.Request) error {
	err := s.supplier.WithdrawReady(r.Context(), s.actor(r), *currentUser(r).SupplierID)
	if err == nil {
		s.flash(w, r, "success", "Uw gereedmelding is ingetrokken. Meld uw koppeling opnieuw gereed zodra hij werkt.")
		return redirect(w, r, "/")
	}
	var na supplier.ErrNotAllowed
	switch {
	case errors.As(err, &na):
		s.flash(w, r, "error", na.Reason)
	case errors.Is(err, store.ErrNotFound):
		s.flash(w, r, "error", "Er is niets in te trekken: u heeft uw koppeling niet gereed gemeld.")
	case errors.As(err, new(admission.ErrTransition)):
		s.flash(w, r, "error", "Uw toelating is intussen gewijzigd; bekijk hieronder waar u nu staat.")
	default:
		return err
	}
	return redirect(w, r, "/")
}

// integrationGuide shows the guide to admitted suppliers; others get a page
// (200) saying when it becomes available.
func (s *Server) integrationGuide(w http.ResponseWriter, r *http.Request) error {
	a, ok, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	var v supplierweb.GuideView
	switch {
	case ok && a.State == admission.Excluded:
		v.Unavailable = "U bent uitgesloten van deelname; de handleiding is niet meer voor u beschikbaar."
	case !ok || !admittedState(a.State):
		v.Unavailable = "De handleiding voor het koppelen van uw webshop is beschikbaar zodra u als aanbieder bent toegelaten. " +
			"U ontvangt dan ook toegang tot de test- en acceptatieomgeving."
	default:
		g, err := integrationGuideHTML()
		if err != nil {
			return err
		}
		v = g
	}
	return s.render(w, r, supplierweb.Guide(s.withFlashes(w, r, s.pageFor(r, "Handleiding koppeling")), v))
}

// integrationGuideHTML renders docs/integration-guide.md once: raw HTML in
// the Markdown is dropped (goldmark's default), headings get ids, and the
// second- and third-level headings make the table of contents.
var integrationGuideHTML = sync.OnceValues(func() (supplierweb.GuideView, error) {
	src, err := docs.FS.ReadFile(docs.IntegrationGuide)
	if err != nil {
		return supplierweb.GuideView{}, fmt.Errorf("reading integration guide: %w", err)
	}
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	doc := md.Parser().Parse(text.NewReader(src))
	var v supplierweb.GuideView
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok || h.Level < 2 || h.Level > 3 {
			return ast.WalkContinue, nil
		}
		id, _ := h.AttributeString("id")
		b, _ := id.([]byte)
		e := supplierweb.TOCEntry{ID: string(b), Title: plainText(h, src)}
		switch {
		case h.Level == 2:
			v.TOC = append(v.TOC, e)
		case len(v.TOC) > 0:
			last := &v.TOC[len(v.TOC)-1]
			last.Sub = append(last.Sub, e)
		}
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		return supplierweb.GuideView{}, err
	}
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		return supplierweb.GuideView{}, fmt.Errorf("rendering integration guide: %w", err)
	}
	v.HTML = buf.String()
	return v, nil
})

// plainText is the text of an inline tree, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
		case *ast.String:
			b.Write(t.Value)
		default:
			b.WriteString(plainText(c, src))
		}
	}
	return b.String()
}
