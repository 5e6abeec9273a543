package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

// SyncMaxAttempts bounds River's retries of a failed sync job; scheduled
// incrementals replace exhausted ones.
const SyncMaxAttempts = 5

// ScheduleEvery is how often the scheduler looks for due work.
const ScheduleEvery = 30 * time.Second

// WebhookCheckEvery is how often a connection's webhooks are checked.
const WebhookCheckEvery = 15 * time.Minute

// pendingStates: a job with the same unique args in one of these states
// makes a new request a no-op ("Nu synchroniseren" five times queues one).
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// SyncArgs is the sync_connection job.
type SyncArgs struct {
	ConnectionID int64  `json:"connection_id" river:"unique"`
	SyncKind     Kind   `json:"kind" river:"unique"`
	Trigger      string `json:"trigger"`
}

// Kind is the job kind.
func (SyncArgs) Kind() string { return "sync_connection" }

// InsertOpts queue it on QueueSync, unique per connection and kind among
// unfinished jobs.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSync, MaxAttempts: SyncMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// WebhookDeliveryArgs is the webhook_delivery job.
type WebhookDeliveryArgs struct {
	DeliveryID int64 `json:"delivery_id"`
	// Headers are the delivery's X- headers (not its signature): the
	// platform's parser may need them (WooCommerce: the topic).
	Headers map[string]string `json:"headers,omitempty"`
}

// Kind is the job kind.
func (WebhookDeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts queue it on QueueEvents.
func (WebhookDeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEvents, MaxAttempts: 10}
}

// WebhookSetupArgs is the webhook_setup job: register the connection's
// webhooks in the shop, or check and repair them.
type WebhookSetupArgs struct {
	ConnectionID int64 `json:"connection_id" river:"unique"`
}

// Kind is the job kind.
func (WebhookSetupArgs) Kind() string { return "webhook_setup" }

// InsertOpts queue it on QueueSync, unique per connection.
func (WebhookSetupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSync, MaxAttempts: 3,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// ScheduleArgs is the periodic sync_schedule job.
type ScheduleArgs struct{}

// Kind is the job kind.
func (ScheduleArgs) Kind() string { return "sync_schedule" }

// InsertOpts queue it on QueueEvents; one at a time.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEvents, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByState: pendingStates}}
}

// Queues are the syncer's queues for the job client. Sync runs are long:
// a few at a time per process (the connection lock serialises runs of one
// connection anyway). Webhook deliveries are short and many: River fetches
// at most MaxWorkers jobs per fetch and fetches at most every
// FetchCooldown, so MaxWorkers/FetchCooldown bounds their throughput (here
// 32/20 ms); the database pool bounds how many really run at once.
func Queues() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{
		QueueSync:   {MaxWorkers: 4},
		QueueEvents: {MaxWorkers: 32, FetchCooldown: 20 * time.Millisecond},
	}
}

// AddWorkers registers the syncer's job workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &syncWorker{s: s})
	river.AddWorker(w, &deliveryWorker{s: s})
	river.AddWorker(w, &setupWorker{s: s})
	river.AddWorker(w, &scheduleWorker{s: s})
}

// PeriodicJobs is the scheduler (none when scheduled syncs are disabled
// in this process).
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	if s.d.Config.Disabled {
		return nil
	}
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sync_schedule", RunOnStart: true}),
	}
}

func (s *Service) riverClient() (*river.Client[pgx.Tx], error) {
	c := s.client.Load()
	if c == nil {
		return nil, errors.New("syncer: no job client (SetClient)")
	}
	return c, nil
}

func (s *Service) insert(ctx context.Context, tx *store.Store, args river.JobArgs) error {
	c, err := s.riverClient()
	if err != nil {
		return err
	}
	if tx != nil && tx.Tx() != nil {
		_, err = c.InsertTx(ctx, tx.Tx(), args, nil)
	} else {
		_, err = c.Insert(ctx, args, nil)
	}
	return err
}

// RequestSync queues a sync of the connection (on tx when given): a
// request for a connection and kind that is already queued or running is
// a no-op.
func (s *Service) RequestSync(ctx context.Context, tx *store.Store, connectionID int64, kind Kind, trigger string) error {
	if !kind.Valid() {
		return fmt.Errorf("syncer: unknown kind %q", kind)
	}
	if err := s.insert(ctx, tx, SyncArgs{ConnectionID: connectionID, SyncKind: kind, Trigger: trigger}); err != nil {
		return fmt.Errorf("queueing sync: %w", err)
	}
	return nil
}

// RequestWebhookSetup queues the registration (or check) of the
// connection's webhooks in its shop.
func (s *Service) RequestWebhookSetup(ctx context.Context, tx *store.Store, connectionID int64) error {
	if err := s.insert(ctx, tx, WebhookSetupArgs{ConnectionID: connectionID}); err != nil {
		return fmt.Errorf("queueing webhook setup: %w", err)
	}
	return nil
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s *Service
}

// Timeout lets a run of a big catalogue finish; River's stuck-job rescue
// and the connection lock keep a dead one from blocking others.
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 3 * time.Hour }

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	a := job.Args
	_, err := w.s.Run(ctx, a.ConnectionID, a.SyncKind, a.Trigger, nil)
	var re *RunError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrBusy):
		return river.JobSnooze(w.s.d.BusyRetry)
	case errors.Is(err, store.ErrNotFound):
		return river.JobCancel(err) // the connection was removed
	case errors.As(err, &re) && re.Code == string(connector.CodeAuth):
		// Retrying refused keys only hammers the shop; the incident asks
		// the supplier for new ones, and the schedule tries again.
		return river.JobCancel(err)
	}
	return err
}

type deliveryWorker struct {
	river.WorkerDefaults[WebhookDeliveryArgs]
	s *Service
}

func (w *deliveryWorker) Timeout(*river.Job[WebhookDeliveryArgs]) time.Duration { return time.Minute }

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[WebhookDeliveryArgs]) error {
	err := w.s.processDelivery(ctx, job.Args.DeliveryID, job.Args.Headers)
	if store.IsLockTimeout(err) {
		// A run holds the product; try again when it is likely done.
		return river.JobSnooze(2 * time.Second)
	}
	return err
}

type setupWorker struct {
	river.WorkerDefaults[WebhookSetupArgs]
	s *Service
}

func (w *setupWorker) Timeout(*river.Job[WebhookSetupArgs]) time.Duration { return 5 * time.Minute }

func (w *setupWorker) Work(ctx context.Context, job *river.Job[WebhookSetupArgs]) error {
	err := w.s.EnsureWebhooks(ctx, job.Args.ConnectionID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	s *Service
}

func (w *scheduleWorker) Timeout(*river.Job[ScheduleArgs]) time.Duration { return 2 * time.Minute }

func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	return w.s.Schedule(ctx)
}

// Schedule is one tick of the scheduler: it queues due incrementals and
// reconciliations and webhook checks, updates incidents that time made
// due, and cleans up old webhook deliveries.
func (s *Service) Schedule(ctx context.Context) error {
	cfg := s.d.Config
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		due, err := tx.SyncerDue(ctx)
		if err != nil {
			return err
		}
		next := s.now().Add(cfg.Interval)
		for _, id := range due {
			if err := s.RequestSync(ctx, tx, id, KindIncremental, "schedule"); err != nil {
				return err
			}
			if err := tx.SyncerSetNextSync(ctx, id, next); err != nil {
				return err
			}
		}
		rec, err := tx.SyncerReconcileDue(ctx, cfg.ReconcileInterval)
		if err != nil {
			return err
		}
		for _, id := range rec {
			if err := s.RequestSync(ctx, tx, id, KindReconcile, "schedule"); err != nil {
				return err
			}
		}
		hooks, err := tx.SyncerWebhookDue(ctx, WebhookCheckEvery)
		if err != nil {
			return err
		}
		for _, id := range hooks {
			if err := s.RequestWebhookSetup(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids, err := s.store.SyncerIncidentDue(ctx, FailingAfter)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.store.InTx(ctx, func(tx *store.Store) error { return s.evaluateIncident(ctx, tx, id, "") }); err != nil {
			s.log.Warn("evaluating incident", slog.Int64("connection_id", id), slog.Any("error", err))
		}
	}
	if n, err := s.store.SyncerDeliveriesCleanup(ctx); err != nil {
		s.log.Warn("cleaning up webhook deliveries", slog.Any("error", err))
	} else if n > 0 {
		s.log.Info("old webhook deliveries removed", slog.Int64("rows", n))
	}
	return nil
}
