package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webconn "github.com/wujw/ohis/web/connections"
)

// The live progress bar. The page polls a fragment every second while a
// run is running, or while a sync it just asked for has not started yet
// (?na=<newest run id before the request>, until a deadline ?tot=). The
// fragment names the run it follows (?volg=); once that run ends, the
// fragment stops polling and swaps in a fresh health block and history.

// connProgressWait is how long the page waits for a requested sync to start
// before it says it has not (the job queue may be busy).
const connProgressWait = time.Minute

func connProgressURL(c store.Connection, staff bool, q url.Values) string {
	u := connectionHref(c.ID, staff) + "/voortgang"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func connQueryInt(r *http.Request, name string) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// connRunningProgress is the bar of a running run.
func connRunningProgress(c store.Connection, run store.ConnectionRun, staff bool) webconn.Progress {
	return webconn.Progress{
		State: "running", Polling: true, ReloadHref: connectionHref(c.ID, staff),
		FragmentURL: connProgressURL(c, staff, url.Values{"volg": {strconv.FormatInt(run.ID, 10)}}),
		Kind:        connLabelOr(connRunKindLabels, run.Kind), Started: components.DateTime(run.StartedAt),
		PagesDone: run.PagesDone, PagesTotal: run.PagesTotal, ItemsDone: run.ItemsDone, ItemsTotal: run.ItemsTotal,
		Counts: connRunCounts(run),
	}
}

// connEndedProgress says how a run ended.
func connEndedProgress(c store.Connection, run store.ConnectionRun, staff bool) webconn.Progress {
	p := webconn.Progress{State: "finished", ReloadHref: connectionHref(c.ID, staff)}
	if run.Outcome == "failed" {
		p.State, p.Message = "failed", run.ErrorMessage
		if p.Message == "" {
			p.Message = "De synchronisatie is mislukt. Bekijk de fouten van de koppeling."
		}
		return p
	}
	p.Message = "Klaar om " + components.DateTimePtr(run.FinishedAt) + ": " + connRunCounts(run) + "."
	return p
}

// waitingProgress is the region after asking for a sync that has not
// started yet.
func (s *Server) waitingProgress(c store.Connection, staff bool, after, deadline int64) webconn.Progress {
	return webconn.Progress{State: "waiting", Polling: true, ReloadHref: connectionHref(c.ID, staff),
		FragmentURL: connProgressURL(c, staff, url.Values{"na": {strconv.FormatInt(after, 10)}, "tot": {strconv.FormatInt(deadline, 10)}})}
}

// progressState is the region as the connection page first shows it.
func (s *Server) progressState(r *http.Request, c store.Connection, runs []store.ConnectionRun, staff bool) webconn.Progress {
	idle := webconn.Progress{State: "idle", ReloadHref: connectionHref(c.ID, staff)}
	var latest *store.ConnectionRun
	if len(runs) > 0 {
		latest = &runs[0]
	}
	if latest != nil && latest.Outcome == "running" {
		return connRunningProgress(c, *latest, staff)
	}
	after, ok := connQueryInt(r, "na")
	if ok && (latest == nil || latest.ID <= after) {
		return s.waitingProgress(c, staff, after, s.now().Add(connProgressWait).Unix())
	}
	return idle
}

// progressFragment answers the poll.
func (s *Server) progressFragment(w http.ResponseWriter, r *http.Request, c store.Connection, staff bool) error {
	ctx := r.Context()
	latest, err := s.store.ConnectionLatestRun(ctx, c.ID)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	follow, following := connQueryInt(r, "volg")
	after, waiting := connQueryInt(r, "na")
	deadline, _ := connQueryInt(r, "tot")
	var p webconn.Progress
	ended := false
	switch {
	case found && latest.Outcome == "running":
		p = connRunningProgress(c, latest, staff)
	case found && following && latest.ID >= follow, found && waiting && latest.ID > after:
		p, ended = connEndedProgress(c, latest, staff), true
	case waiting && s.now().Unix() < min(deadline, s.now().Add(connProgressWait).Unix()):
		p = s.waitingProgress(c, staff, after, deadline)
	case waiting:
		p = webconn.Progress{State: "not-started", ReloadHref: connectionHref(c.ID, staff),
			Message: "De synchronisatie is nog niet begonnen; de wachtrij is druk of er loopt elders al een. Vernieuw de pagina over een paar minuten."}
	default:
		p = webconn.Progress{State: "idle", ReloadHref: connectionHref(c.ID, staff)}
	}
	if !ended {
		return s.render(w, r, webconn.ProgressFragment(p, nil, nil))
	}
	// The run ended: refresh the health block and the history too.
	fresh, err := s.store.ConnectionGet(ctx, c.ID)
	if err != nil {
		return err
	}
	runs, err := s.store.ConnectionRuns(ctx, c.ID, 20)
	if err != nil {
		return err
	}
	h := connectionHealth(fresh, staff)
	if latest.Outcome == "failed" && (fresh.FailingSince != nil || fresh.AuthFailed) {
		h.LastErrorText = latest.ErrorMessage
	}
	return s.render(w, r, webconn.ProgressFragment(p, &h, connRunsView(runs)))
}

func (s *Server) connectionProgress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	return s.progressFragment(w, r, c, false)
}

func (s *Server) staffConnectionProgress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.staffConnectionGet(r)
	if err != nil {
		return err
	}
	return s.progressFragment(w, r, c, true)
}
