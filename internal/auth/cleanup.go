package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/store"
)

// CleanupArgs is the periodic job that deletes dead sessions and old login
// failures.
type CleanupArgs struct{}

// Kind names the job type.
func (CleanupArgs) Kind() string { return "auth_cleanup" }

// InsertOpts: one at a time across all portal instances.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// CleanupWorker runs CleanupArgs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	Store       *store.Store
	IdleTimeout time.Duration
	Logger      *slog.Logger
}

// Work deletes expired sessions and failures older than a day.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	sessions, err := w.Store.SessionDeleteExpired(ctx, w.IdleTimeout)
	if err != nil {
		return err
	}
	failures, err := w.Store.LoginFailurePrune(ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	w.Logger.Info("auth cleanup", slog.Int64("sessions_deleted", sessions), slog.Int64("login_failures_deleted", failures))
	return nil
}
