package portal

import (
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webconn "github.com/wujw/ohis/web/connections"
)

// How connection data reads in Dutch: health, incidents, runs.

func connectionHref(id int64, staff bool) string {
	if staff {
		return "/beheer/koppelingen/" + strconv.FormatInt(id, 10)
	}
	return "/koppelingen/" + strconv.FormatInt(id, 10)
}

// connIncidentTexts are what an open incident means and what to do about it.
var connIncidentTexts = map[string][2]string{
	"failing": {"De synchronisatie mislukt al meer dan een uur",
		"Wijzigingen in prijzen, voorraad en producten komen niet door. Bekijk de fouten van de koppeling, test de verbinding en start daarna opnieuw een synchronisatie."},
	"auth": {"Uw webshop weigert de sleutels van OHIS",
		"De webshop antwoordt met “geen toegang” (401): de sleutels zijn ingetrokken of horen bij een verwijderde gebruiker. Maak in WooCommerce nieuwe sleutels aan (Lezen/Schrijven) en vul ze bij de koppeling in."},
	"webhooks": {"Uw webshop heeft de webhooks van OHIS uitgeschakeld",
		"OHIS kon ze niet opnieuw aanzetten. Wijzigingen komen nu pas bij de volgende synchronisatie door in plaats van direct. Controleer of uw webshop OHIS kan bereiken (firewall, beveiligingsplug-in) en start daarna een synchronisatie; OHIS zet de webhooks dan weer aan."},
}

// connectionIncident is the incident of a connection, or nil.
func connectionIncident(kind string, since *time.Time, href, label string) *webconn.Incident {
	t, ok := connIncidentTexts[kind]
	if !ok {
		return nil
	}
	return &webconn.Incident{Kind: kind, Title: t[0], Text: t[1], Since: components.DateTimePtr(since), Href: href, Label: label}
}

// connectionLabel names a connection in one line: "Productie · WooCommerce
// · https://…".
func connectionLabel(env, platform, url string) string {
	return connections.EnvironmentLabel(env) + " · " + connections.PlatformLabel(platform) + " · " + url
}

// connIncidentsView turns open incidents into the start page's flags.
func connIncidentsView(in []store.ConnectionIncident, staff bool) []webconn.Incident {
	out := make([]webconn.Incident, 0, len(in))
	for _, i := range in {
		label := connectionLabel(i.Environment, i.Platform, i.BaseURL)
		if staff {
			label = i.SupplierName + " · " + label
		}
		if inc := connectionIncident(i.Kind, i.Since, connectionHref(i.ID, staff), label); inc != nil {
			out = append(out, *inc)
		}
	}
	return out
}

var connWebhookLabels = map[string]string{
	"none": "Nog niet geregistreerd", "active": "Actief", "disabled": "Uitgeschakeld door de webshop", "error": "Registreren mislukt",
}

// connectionHealth is a connection at a glance.
func connectionHealth(c store.Connection, staff bool) webconn.Health {
	href := connectionHref(c.ID, staff)
	h := webconn.Health{
		ID: c.ID, Href: href, Environment: c.Environment, EnvironmentLabel: connections.EnvironmentLabel(c.Environment),
		PlatformLabel: connections.PlatformLabel(c.Platform), ShopURL: c.BaseURL, Paused: c.Paused,
		LastAttempt: components.DateTimePtr(c.LastAttemptAt), WebhookStatus: c.WebhookStatus,
		WebhookLabel: connWebhookLabels[c.WebhookStatus], OpenErrors: c.OpenErrors, ErrorsHref: href + "/fouten",
		CreatedAt: components.DateTime(c.CreatedAt),
	}
	if staff {
		h.SupplierName = c.SupplierName
	}
	if h.WebhookLabel == "" {
		h.WebhookLabel = c.WebhookStatus
	}
	h.LastSuccess = "Nog nooit"
	if c.LastSuccessAt != nil {
		h.LastSuccess = components.DateTime(*c.LastSuccessAt)
	}
	switch {
	case c.Paused:
		h.NextSync = "Gepauzeerd: alleen als u erom vraagt"
	case c.NextSyncAt != nil:
		h.NextSync = components.DateTime(*c.NextSyncAt)
	default:
		h.NextSync = "Wordt ingepland"
	}
	info := connections.ShopInfo(c)
	h.ShopName, h.ShopVersion = info.Name, info.Version
	h.Incident = connectionIncident(c.IncidentKind, c.IncidentSince, href, connectionLabel(c.Environment, c.Platform, c.BaseURL))
	switch {
	case h.Incident != nil:
		h.State, h.StateLabel = "incident", "Actie nodig"
	case c.AuthFailed:
		h.State, h.StateLabel = "failing", "Sleutels geweigerd"
	case c.FailingSince != nil:
		h.State, h.StateLabel = "failing", "Synchronisatie mislukt"
	case c.Paused:
		h.State, h.StateLabel = "paused", "Gepauzeerd"
	case c.LastSuccessAt == nil:
		h.State, h.StateLabel = "new", "Nog niet gesynchroniseerd"
	default:
		h.State, h.StateLabel = "ok", "In orde"
	}
	return h
}

var (
	connRunKindLabels = map[string]string{
		"full": "Volledig", "incremental": "Wijzigingen", "reconcile": "Controle op verwijderde producten", "webhook": "Webhook",
	}
	connRunTriggerLabels = map[string]string{
		"schedule": "Automatisch", "manual": "Handmatig", "cli": "Door beheerder", "webhook": "Webhook",
		"connect": "Nieuwe koppeling of sleutels",
	}
	connRunOutcomeLabels = map[string]string{"running": "Bezig", "succeeded": "Geslaagd", "failed": "Mislukt"}
)

func connLabelOr(m map[string]string, key string) string {
	if l, ok := m[key]; ok {
		return l
	}
	return key
}

// connRunCounts says what a run did, leaving out what did not happen.
func connRunCounts(r store.ConnectionRun) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{r.Created, "nieuw"}, {r.Updated, "gewijzigd"}, {r.Deleted, "verwijderd"}, {r.Unchanged, "ongewijzigd"},
		{r.Skipped, "overgeslagen"}, {r.Failed, "met een fout"},
	} {
		if c.n > 0 {
			parts = append(parts, webconn.Number(c.n)+" "+c.what)
		}
	}
	if len(parts) == 0 {
		if r.Outcome == "running" {
			return ""
		}
		return "Niets veranderd"
	}
	return strings.Join(parts, ", ")
}

// connDuration is a duration as people read it: "12 s", "2 min 5 s",
// "1 u 4 min".
func connDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		m, s := int(d.Minutes()), int(d.Seconds())%60
		if s == 0 {
			return strconv.Itoa(m) + " min"
		}
		return strconv.Itoa(m) + " min " + strconv.Itoa(s) + " s"
	}
	return strconv.Itoa(int(d.Hours())) + " u " + strconv.Itoa(int(d.Minutes())%60) + " min"
}

func connRunView(r store.ConnectionRun) webconn.Run {
	v := webconn.Run{
		Kind: connLabelOr(connRunKindLabels, r.Kind), Trigger: connLabelOr(connRunTriggerLabels, r.Trigger), Started: components.DateTime(r.StartedAt),
		Outcome: r.Outcome, OutcomeLabel: connLabelOr(connRunOutcomeLabels, r.Outcome), Counts: connRunCounts(r), ErrorMessage: r.ErrorMessage,
		Duration: "bezig",
	}
	if r.FinishedAt != nil {
		v.Duration = connDuration(r.FinishedAt.Sub(r.StartedAt))
	}
	return v
}

func connRunsView(runs []store.ConnectionRun) []webconn.Run {
	out := make([]webconn.Run, len(runs))
	for i, r := range runs {
		out[i] = connRunView(r)
	}
	return out
}
