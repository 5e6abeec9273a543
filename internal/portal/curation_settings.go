package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/web/components"
	webcuration "github.com/wujw/ohis/web/curation"
)

func (s *Server) settingsView(r *http.Request, pct string, keep *bool, reason string, errs components.Errors) (webcuration.SettingsView, error) {
	ctx := r.Context()
	st, err := s.curation.Settings(ctx)
	if err != nil {
		return webcuration.SettingsView{}, err
	}
	if pct == "" {
		pct = strconv.Itoa(st.PriceIncreasePercent)
	}
	v := webcuration.SettingsView{
		Percent: components.Field{Name: "percentage", Label: "Prijsstijging waarbij een product terugkomt (%)", Type: "number", Value: pct,
			Error: errs["percentage"], Required: true,
			Hint: "Een stijging van meer dan dit percentage ten opzichte van de goedgekeurde prijs is een belangrijke wijziging."},
		KeepVisible: st.KeepVisibleOnChange,
		Updated:     components.DateTime(st.UpdatedAt),
		NewReason:   components.Field{Name: "omschrijving", Label: "Nieuwe reden", Value: reason, Error: errs["omschrijving"]},
		Errors:      errs.Summary("percentage", "omschrijving"),
	}
	if keep != nil {
		v.KeepVisible = *keep
	}
	reasons, err := s.store.RejectionReasons(ctx)
	if err != nil {
		return v, err
	}
	for _, rs := range reasons {
		v.Reasons = append(v.Reasons, webcuration.ReasonRow{ID: rs.ID, Label: rs.Label, Active: rs.Active,
			ToggleURL: templ.SafeURL(fmt.Sprintf("/beheer/curatie/redenen/%d/actief", rs.ID))})
	}
	bulks, err := s.curation.RecentBulks(ctx, 10)
	if err != nil {
		return v, err
	}
	for _, b := range bulks {
		v.Bulks = append(v.Bulks, bulkView(b, "/beheer/curatie"))
	}
	return v, nil
}

func (s *Server) curationSettings(w http.ResponseWriter, r *http.Request) error {
	v, err := s.settingsView(r, "", nil, "", components.Errors{})
	if err != nil {
		return err
	}
	return s.render(w, r, webcuration.Settings(s.withFlashes(w, r, s.pageFor(r, "Instellingen voor curatie")), v))
}

func (s *Server) curationSettingsSave(w http.ResponseWriter, r *http.Request) error {
	raw := strings.TrimSpace(r.PostFormValue("percentage"))
	keep := r.PostFormValue("zichtbaar") != "nee"
	errs := components.Errors{}
	pct, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(raw, "%")), " "))
	if err != nil {
		errs["percentage"] = "Vul een heel getal in, bijvoorbeeld 10."
	} else if err := s.curation.UpdateSettings(r.Context(), s.actor(r), pct, keep); err != nil {
		msg, ok := refusal(err)
		if !ok {
			return err
		}
		errs["percentage"] = msg
	}
	if len(errs) > 0 {
		v, err := s.settingsView(r, raw, &keep, "", errs)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webcuration.Settings(s.pageFor(r, "Instellingen voor curatie"), v))
	}
	s.flash(w, r, "success", "De instellingen zijn opgeslagen.")
	return redirect(w, r, "/beheer/curatie/instellingen")
}

func (s *Server) curationReasonAdd(w http.ResponseWriter, r *http.Request) error {
	label := r.PostFormValue("omschrijving")
	rs, err := s.curation.AddReason(r.Context(), s.actor(r), label)
	if msg, ok := refusal(err); ok {
		v, err := s.settingsView(r, "", nil, label, components.Errors{"omschrijving": msg})
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webcuration.Settings(s.pageFor(r, "Instellingen voor curatie"), v))
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Reden ‘"+rs.Label+"’ is toegevoegd.")
	return redirect(w, r, "/beheer/curatie/instellingen")
}

func (s *Server) curationReasonToggle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("actief") == "ja"
	rs, err := s.curation.SetReasonActive(r.Context(), s.actor(r), id, active)
	if err != nil {
		return err
	}
	if active {
		s.flash(w, r, "success", "Reden ‘"+rs.Label+"’ staat weer aan.")
	} else {
		s.flash(w, r, "success", "Reden ‘"+rs.Label+"’ is uitgezet.")
	}
	return redirect(w, r, "/beheer/curatie/instellingen")
}
