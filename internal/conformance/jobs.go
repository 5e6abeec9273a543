package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

// RunArgs is the conformance_run job: carry out one queued run.
type RunArgs struct {
	ReportID int64 `json:"report_id"`
}

// Kind is the job kind.
func (RunArgs) Kind() string { return "conformance_run" }

// InsertOpts: the default queue, a few attempts.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: river.QueueDefault, MaxAttempts: 3}
}

// WebhookEndArgs is the conformance_webhook_end job: end the wait for the
// test webhook (at its deadline, or as soon as a signed delivery came) and
// delete the temporary webhook from the supplier's API.
type WebhookEndArgs struct {
	ReportID int64 `json:"report_id"`
}

// Kind is the job kind.
func (WebhookEndArgs) Kind() string { return "conformance_webhook_end" }

// InsertOpts: the default queue.
func (WebhookEndArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: river.QueueDefault, MaxAttempts: 3}
}

// AddWorkers registers the service's job workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &runWorker{s: s})
	river.AddWorker(w, &endWorker{s: s})
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	s *Service
}

func (w *runWorker) Timeout(*river.Job[RunArgs]) time.Duration { return w.s.d.RunTimeout }

func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	err := w.s.execute(ctx, job.Args.ReportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.s.log.Error("conformance run failed", slog.Int64("report_id", job.Args.ReportID), slog.Any("error", err))
		if ferr := w.s.d.Store.ConformanceReportFail(context.WithoutCancel(ctx), job.Args.ReportID,
			"De controle kon door een fout in OHIS niet worden uitgevoerd. Voer het rapport opnieuw uit; blijft dit gebeuren, meld het dan aan de beheerder."); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

// execute carries out one run: open the credentials, make the test
// webhook's token and secret, run the checks, store the report and plan
// the end of the wait.
func (s *Service) execute(ctx context.Context, reportID int64) error {
	row, err := s.d.Store.ConformanceReportGet(ctx, reportID)
	if err != nil {
		return err
	}
	if row.Status == StatusDone || row.Status == StatusFailed {
		return nil
	}
	review, err := s.d.Store.ConformanceReviewGet(ctx, row.ReviewID)
	if err != nil {
		return err
	}
	creds, err := s.d.Credentials.CustomAPICredentials(review.CustomAPIReview)
	if err != nil {
		s.log.Warn("conformance run: credentials cannot be opened", slog.Int64("report_id", reportID), slog.Any("error", err))
		return s.d.Store.ConformanceReportFail(ctx, reportID,
			"De sleutels van deze inzending konden niet worden ontsleuteld (de versleutelingssleutel is niet meer beschikbaar). De aanbieder moet de API opnieuw aanbieden.")
	}

	token, secret := newToken(), []byte(newToken())
	sealed, keyID := s.d.Box.Seal(secret, secretContext(reportID))
	provisional := s.d.Now().Add(s.d.RunTimeout + s.d.WebhookWait)
	if err := s.d.Store.ConformanceReportStart(ctx, reportID, store.ConformanceStart{
		TokenHash: hashToken(token), SealedSecret: sealed, KeyID: keyID, Deadline: &provisional, WebhookResult: webhookWaiting,
	}); err != nil {
		return err
	}

	opts := s.d.Run
	opts.Platform, opts.Client = s.d.Platform, s.d.Client
	opts.Webhook = &WebhookTest{DeliveryURL: s.deliveryURL(token), Secret: secret, Wait: s.d.WebhookWait}
	if opts.Now == nil {
		opts.Now = s.d.Now
	}
	rep := Run(ctx, Target{BaseURL: review.BaseURL, Credentials: connector.Credentials{Key: creds.Key, Secret: creds.Secret}}, opts)
	if err := ctx.Err(); err != nil {
		// OHIS stops or the run took too long: what was found is not a
		// judgement of the API. River tries again.
		return fmt.Errorf("conformance run %d interrupted: %w", reportID, err)
	}

	fin := store.ConformanceFinish{Status: StatusDone, WebhookResult: webhookNotTested}
	if rep.Webhook != nil {
		deadline := s.d.Now().Add(s.d.WebhookWait)
		fin.WebhookRemoteID, fin.WebhookResult, fin.WebhookDeadline = rep.Webhook.ID, webhookWaiting, &deadline
	} else if c, ok := rep.Check(CheckWebhook); ok {
		fin.WebhookFinding, fin.WebhookDetail = c.Finding, c.Detail
	}
	if fin.Report, err = json.Marshal(rep); err != nil {
		return err
	}
	if err := s.d.Store.ConformanceReportFinish(ctx, reportID, fin); err != nil {
		return err
	}
	s.log.Info("conformance run finished", slog.Int64("report_id", reportID), slog.Int64("review_id", row.ReviewID),
		slog.String("verdict", string(rep.Verdict())), slog.Bool("webhook_registered", rep.Webhook != nil))
	if rep.Webhook != nil {
		if c := s.client.Load(); c != nil {
			if _, err := c.Insert(ctx, WebhookEndArgs{ReportID: reportID}, &river.InsertOpts{ScheduledAt: *fin.WebhookDeadline}); err != nil {
				return fmt.Errorf("scheduling the end of the webhook wait: %w", err)
			}
		}
	}
	return nil
}

type endWorker struct {
	river.WorkerDefaults[WebhookEndArgs]
	s *Service
}

func (w *endWorker) Timeout(*river.Job[WebhookEndArgs]) time.Duration { return 2 * time.Minute }

func (w *endWorker) Work(ctx context.Context, job *river.Job[WebhookEndArgs]) error {
	return w.s.endWait(ctx, job.Args.ReportID)
}

// endWait expires a wait that got no delivery and deletes the temporary
// webhook, best effort: a webhook that cannot be deleted is logged, not
// retried forever.
func (s *Service) endWait(ctx context.Context, reportID int64) error {
	row, err := s.d.Store.ConformanceReportGet(ctx, reportID)
	if err != nil {
		return err
	}
	if row.WebhookResult == webhookWaiting {
		if row.WebhookDeadline != nil {
			if left := row.WebhookDeadline.Sub(s.d.Now()); left > 0 {
				return river.JobSnooze(left)
			}
		}
		finding := fmt.Sprintf("Binnen %s na het aanmaken van de testwebhook ontving OHIS geen webhook. Stuur bij elke wijziging van een product een webhook product.updated naar het afgesproken adres; vraag daarna support om het rapport opnieuw uit te voeren.",
			dutchDuration(s.d.WebhookWait))
		if row.WebhookPingAt != nil {
			finding += " De ping bij het aanmaken kwam wel aan."
		}
		if _, err := s.d.Store.ConformanceWebhookExpire(ctx, reportID, finding, "no delivery before the deadline"); err != nil {
			return err
		}
	}
	if row.WebhookRemoteID == "" || row.WebhookRemovedAt != nil {
		return nil
	}
	if err := s.deleteRemote(ctx, row); err != nil {
		s.log.Warn("conformance: deleting the test webhook failed", slog.Int64("report_id", reportID), slog.Any("error", err))
	}
	return s.d.Store.ConformanceWebhookRemoved(ctx, reportID)
}

func (s *Service) deleteRemote(ctx context.Context, row store.ConformanceReport) error {
	review, err := s.d.Store.ConformanceReviewGet(ctx, row.ReviewID)
	if err != nil {
		return err
	}
	creds, err := s.d.Credentials.CustomAPICredentials(review.CustomAPIReview)
	if err != nil {
		return err
	}
	conn, err := s.d.Platform.New(connector.Options{
		BaseURL: review.BaseURL, Credentials: connector.Credentials{Key: creds.Key, Secret: creds.Secret},
		Client: s.d.Client, Concurrency: 1, MaxRetries: 1,
	})
	if err != nil {
		return err
	}
	return conn.DeleteWebhook(ctx, row.WebhookRemoteID)
}
