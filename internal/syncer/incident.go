package syncer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on machines without zoneinfo

	"github.com/wujw/ohis/internal/store"
)

// Incident kinds (connections.incident_kind).
const (
	IncidentNone     = ""
	IncidentFailing  = "failing"  // syncs fail for more than FailingAfter
	IncidentAuth     = "auth"     // the shop refuses the credentials
	IncidentWebhooks = "webhooks" // the shop disabled OHIS's webhooks
)

// FailingAfter is how long a connection may fail before it is an
// incident: short outages of a shop are not worth a mail.
const FailingAfter = time.Hour

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// incidentFor says which incident a connection's state amounts to; refused
// keys come first (they need the supplier), then failing, then webhooks.
func incidentFor(st store.SyncState, now time.Time) string {
	switch {
	case st.AuthFailed:
		return IncidentAuth
	case st.FailingSince != nil && now.Sub(*st.FailingSince) > FailingAfter:
		return IncidentFailing
	case st.WebhookStatus == "disabled":
		return IncidentWebhooks
	}
	return IncidentNone
}

// evaluateIncident opens, changes or closes the connection's incident on
// tx. Opening one (or its kind changing, which needs other action) mails
// the supplier's users through the outbox on the same transaction: once
// per incident, however often the run fails. lastError is the Dutch
// message of the failure at hand, if any.
func (s *Service) evaluateIncident(ctx context.Context, tx *store.Store, connectionID int64, lastError string) error {
	st, err := tx.SyncerConnectionForUpdate(ctx, connectionID)
	if err != nil {
		return err
	}
	now := s.now()
	kind := incidentFor(st, now)
	if kind == st.IncidentKind {
		return nil
	}
	if kind == IncidentNone {
		s.log.Info("connection incident closed", slog.Int64("connection_id", connectionID), slog.String("kind", st.IncidentKind))
		return tx.SyncerSetIncident(ctx, connectionID, IncidentNone, nil, nil)
	}
	since := st.IncidentSince
	if st.IncidentKind == IncidentNone || since == nil {
		since = &now
	}
	s.log.Warn("connection incident", slog.Int64("connection_id", connectionID), slog.String("kind", kind), slog.String("was", st.IncidentKind))
	var mailedAt *time.Time
	if s.d.Mailer != nil {
		users, err := tx.SyncerRecipients(ctx, st.SupplierID)
		if err != nil {
			return err
		}
		subject, text := s.incidentMail(st, kind, lastError)
		for _, u := range users {
			body := strings.Replace(text, "{name}", greetingName(u), 1)
			if err := s.d.Mailer.Enqueue(ctx, tx, u.Email, subject, body); err != nil {
				return fmt.Errorf("mailing incident: %w", err)
			}
		}
		if len(users) > 0 {
			mailedAt = &now
		}
	}
	return tx.SyncerSetIncident(ctx, connectionID, kind, since, mailedAt)
}

func greetingName(r store.Recipient) string {
	if r.Name != "" {
		return r.Name
	}
	return r.Email
}

// EnvironmentLabel is the Dutch name of an environment.
func EnvironmentLabel(env string) string {
	switch env {
	case "test":
		return "test"
	case "acceptance":
		return "acceptatie"
	case "production":
		return "productie"
	}
	return env
}

func dutchDateTime(t time.Time) string {
	return t.In(amsterdam).Format("02-01-2006 15:04")
}

// incidentMail is the Dutch mail about a new incident; "{name}" stands for
// the addressee.
func (s *Service) incidentMail(st store.SyncState, kind, lastError string) (subject, body string) {
	env := EnvironmentLabel(st.Environment)
	link := s.connectionURL(st.ID)
	var what, todo string
	switch kind {
	case IncidentAuth:
		subject = fmt.Sprintf("Actie nodig: uw webshop weigert de sleutels van de koppeling (%s)", env)
		what = "Uw webshop weigert de API-sleutels waarmee OHIS uw productcatalogus ophaalt (HTTP 401/403). Zolang dat zo is, komen prijzen, voorraad en nieuwe producten niet meer door."
		todo = "Maak in uw webshop nieuwe API-sleutels aan (WooCommerce: Instellingen › Geavanceerd › REST API, rechten Lezen/Schrijven) en vul ze in bij de koppeling. Zijn de sleutels niet veranderd, controleer dan of een beveiligings- of cachingplugin of uw hostingpartij de inlog (de Authorization-header) tegenhoudt."
	case IncidentFailing:
		since := ""
		if st.FailingSince != nil {
			since = " sinds " + dutchDateTime(*st.FailingSince)
		}
		subject = fmt.Sprintf("Actie nodig: de synchronisatie met uw webshop mislukt (%s)", env)
		what = "De synchronisatie van uw productcatalogus mislukt" + since + ". Wijzigingen in uw webshop komen daardoor niet door; uw producten blijven zoals ze bij de laatste geslaagde synchronisatie waren."
		if lastError != "" {
			what += "\n\nDe laatste fout: " + lastError
		}
		todo = "Controleer of uw webshop bereikbaar is en of de REST API werkt. In het portaal ziet u per poging wat er misging en wat u eraan kunt doen. OHIS blijft het automatisch opnieuw proberen."
	case IncidentWebhooks:
		subject = fmt.Sprintf("Actie nodig: uw webshop heeft de webhooks van de koppeling uitgeschakeld (%s)", env)
		what = fmt.Sprintf("Uw webshop heeft de webhooks uitgeschakeld waarmee OHIS direct hoort dat een product verandert, en OHIS kon ze niet weer aanzetten. Wijzigingen komen nu pas door bij de periodieke synchronisatie (elke %s).", dutchDuration(s.d.Config.Interval))
		todo = "Zet in uw webshop de webhooks van OHIS weer aan (WooCommerce: Instellingen › Geavanceerd › Webhooks, status Actief). WooCommerce schakelt een webhook uit nadat bezorgen een paar keer mislukte; controleer of uw webshop het portaal kan bereiken."
	}
	body = fmt.Sprintf(`Beste {name},

%s

Wat kunt u doen?
%s

Bekijk de koppeling en de meldingen: %s

U krijgt over dit probleem één e-mail. Is het opgelost, dan ziet u dat in het portaal.

Met vriendelijke groet,
Winst uit je woning`, what, todo, link)
	return subject, body
}

func dutchDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "uur"
		}
		return fmt.Sprintf("%d uur", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "minuut"
		}
		return fmt.Sprintf("%d minuten", d/time.Minute)
	}
	return d.String()
}
