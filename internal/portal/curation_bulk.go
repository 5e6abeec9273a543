package portal

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webcuration "github.com/wujw/ohis/web/curation"
)

var bulkStatusLabels = map[string]string{
	"queued": "Wacht op verwerking", "running": "Bezig", "done": "Klaar", "failed": "Niet afgerond",
}

func bulkHref(id int64, back string) string {
	h := "/beheer/curatie/bulk/" + strconv.FormatInt(id, 10)
	if back != "" && back != "/beheer/curatie" {
		h += "?terug=" + url.QueryEscape(back)
	}
	return h
}

func bulkView(b store.BulkDecision, back string) webcuration.BulkView {
	action := "goedkeuren"
	if b.Action == curation.BulkReject {
		action = "afwijzen"
	}
	reason := b.ReasonLabel
	if b.ReasonText != "" {
		reason += ": " + b.ReasonText
	}
	return webcuration.BulkView{
		ID: b.ID, Href: bulkHref(b.ID, back), Action: action, Reason: reason, By: cmp.Or(b.Actor.Email, "onbekend"),
		Started: components.DateTime(b.CreatedAt), Total: b.Total, Done: b.Done, Decided: b.Decided,
		SkippedChanged: b.SkippedChanged, SkippedDecided: b.SkippedDecided, Status: b.Status,
		StatusLabel: bulkStatusLabels[b.Status], Error: b.Error, Back: back,
	}
}

// curationBulkStart decides the picked rows, or everything matching the
// filter the form repeats.
func (s *Server) curationBulkStart(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	back := curationBack(r.PostFormValue("terug"))
	req := curation.BulkRequest{ReasonID: formID(r, "reden"), ReasonText: r.PostFormValue("toelichting")}
	switch r.PostFormValue("actie") {
	case "goedkeuren":
		req.Action = curation.BulkApprove
	case "afwijzen":
		req.Action = curation.BulkReject
	}
	if r.PostFormValue("selectie") == "filter" {
		f, _, _ := parseQueueFilter(r.PostForm)
		req.Filter = &f
	} else {
		for _, pick := range r.PostForm["kies"] {
			idStr, verStr, _ := strings.Cut(pick, ":")
			id, err1 := strconv.ParseInt(idStr, 10, 64)
			ver, err2 := strconv.ParseInt(verStr, 10, 64)
			if err1 == nil && err2 == nil && id > 0 {
				req.Picks = append(req.Picks, curation.Pick{ProductID: id, Version: ver})
			}
		}
	}
	res, err := s.curation.StartBulk(r.Context(), s.actor(r), req)
	if msg, ok := refusal(err); ok {
		s.flash(w, r, "error", msg)
		return redirect(w, r, back)
	}
	if err != nil {
		return err
	}
	if res.Background {
		s.flash(w, r, "info", fmt.Sprintf("Het bulkbesluit over %s loopt op de achtergrond.", webcuration.Thousands(res.Bulk.Total)+" producten"))
		return redirect(w, r, bulkHref(res.Bulk.ID, back))
	}
	b := res.Bulk
	verb := "goedgekeurd"
	if b.Action == curation.BulkReject {
		verb = "afgewezen"
	}
	msg := fmt.Sprintf("%s %s.", components.Count(b.Decided, "product", "producten"), verb)
	switch {
	case b.SkippedChanged == 1:
		msg += " 1 product is overgeslagen omdat het sinds het openen van de lijst gewijzigd is; bekijk het opnieuw."
	case b.SkippedChanged > 1:
		msg += fmt.Sprintf(" %d producten zijn overgeslagen omdat ze sinds het openen van de lijst gewijzigd zijn; bekijk ze opnieuw.", b.SkippedChanged)
	}
	switch {
	case b.SkippedDecided == 1:
		msg += " 1 product had dit besluit al."
	case b.SkippedDecided > 1:
		msg += fmt.Sprintf(" %d producten hadden dit besluit al.", b.SkippedDecided)
	}
	kind := "success"
	if b.SkippedChanged > 0 {
		kind = "info"
	}
	s.flash(w, r, kind, msg)
	return redirect(w, r, back)
}

func (s *Server) curationBulkShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.curation.Bulk(r.Context(), id)
	if err != nil {
		return err
	}
	v := bulkView(b, curationBack(r.URL.Query().Get("terug")))
	if isHTMX(r) {
		return s.render(w, r, webcuration.BulkProgress(v))
	}
	return s.render(w, r, webcuration.Bulk(s.withFlashes(w, r, s.pageFor(r, "Bulkbesluit")), v))
}
