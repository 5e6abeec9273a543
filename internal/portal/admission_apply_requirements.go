package portal

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

func (s *Server) requirementsView(r *http.Request, label string, errs components.Errors) (admin.RequirementsView, error) {
	reqs, err := s.store.AdmissionRequirements(r.Context(), false)
	if err != nil {
		return admin.RequirementsView{}, err
	}
	v := admin.RequirementsView{
		Label: components.Field{Name: "label", Label: "Omschrijving van de eis", Value: label, Error: errs["label"], Required: true,
			Hint: "Kort en toetsbaar, bijvoorbeeld: Webshop toont prijzen inclusief btw."},
		Errors: errs.Summary("label"),
	}
	for _, req := range reqs {
		v.Rows = append(v.Rows, admin.RequirementRow{ID: req.ID, Label: req.Label, Active: req.Active})
	}
	return v, nil
}

func (s *Server) requirementsList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.requirementsView(r, "", nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.Requirements(s.withFlashes(w, r, s.pageFor(r, "Toelatingseisen")), v))
}

func (s *Server) requirementAdd(w http.ResponseWriter, r *http.Request) error {
	label := strings.Join(strings.Fields(r.PostFormValue("label")), " ")
	errs := components.Errors{}
	switch {
	case label == "":
		errs["label"] = "Vul de omschrijving van de eis in."
	case utf8.RuneCountInString(label) > 200:
		errs["label"] = "De omschrijving mag hoogstens 200 tekens lang zijn."
	default:
		reqs, err := s.store.AdmissionRequirements(r.Context(), false)
		if err != nil {
			return err
		}
		for _, req := range reqs {
			if strings.EqualFold(req.Label, label) {
				errs["label"] = "Deze eis staat al in de lijst."
				if !req.Active {
					errs["label"] = "Deze eis staat al in de lijst, maar is uitgezet. Zet hem weer aan."
				}
			}
		}
	}
	if len(errs) > 0 {
		v, err := s.requirementsView(r, label, errs)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.Requirements(s.pageFor(r, "Toelatingseisen"), v))
	}
	actor := s.actor(r)
	err := s.store.InTx(r.Context(), func(tx *store.Store) error {
		req, err := tx.AdmissionRequirementAdd(r.Context(), label)
		if err != nil {
			return err
		}
		return tx.AuditAdd(r.Context(), audit.Entry{Actor: actor, Action: audit.RequirementAdded, SubjectType: "requirement",
			SubjectID: strconv.FormatInt(req.ID, 10), Detail: map[string]string{"label": label}})
	})
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "De eis is toegevoegd; beoordelaars zien hem bij elke aanmelding in behandeling.")
	return redirect(w, r, "/beheer/toelatingseisen")
}

func (s *Server) requirementToggle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reqs, err := s.store.AdmissionRequirements(r.Context(), false)
	if err != nil {
		return err
	}
	var req *admission.Requirement
	for i := range reqs {
		if reqs[i].ID == id {
			req = &reqs[i]
		}
	}
	if req == nil {
		return errNotFound
	}
	// The form says which state it wants, so a double submit does not
	// switch the requirement back.
	active := !req.Active
	switch r.PostFormValue("actief") {
	case "ja":
		active = true
	case "nee":
		active = false
	}
	if active == req.Active {
		s.flash(w, r, "info", "Er is niets gewijzigd: de eis stond al zo.")
		return redirect(w, r, "/beheer/toelatingseisen")
	}
	actor := s.actor(r)
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		if err := tx.AdmissionRequirementSetActive(r.Context(), id, active); err != nil {
			return err
		}
		return tx.AuditAdd(r.Context(), audit.Entry{Actor: actor, Action: audit.RequirementSwitched, SubjectType: "requirement",
			SubjectID: strconv.FormatInt(id, 10), Detail: map[string]string{"label": req.Label, "active": strconv.FormatBool(active)}})
	})
	if err != nil {
		return err
	}
	msg := "De eis “" + req.Label + "” is uitgezet."
	if active {
		msg = "De eis “" + req.Label + "” is weer aangezet."
	}
	s.flash(w, r, "success", msg)
	return redirect(w, r, "/beheer/toelatingseisen")
}
