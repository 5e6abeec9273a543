package curation

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/store"
)

// SearchWordsArgs is the periodic job that refreshes the words searches
// are corrected against (the search_words view of product names).
type SearchWordsArgs struct{}

// Kind names the job.
func (SearchWordsArgs) Kind() string { return "curation_search_words" }

// InsertOpts: the default queue; one refresh at a time is enough.
func (SearchWordsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: river.QueueDefault, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// SearchWordsWorker refreshes the search words, concurrently: searches and
// syncs go on meanwhile.
type SearchWordsWorker struct {
	river.WorkerDefaults[SearchWordsArgs]
	Store *store.Store
}

// Work refreshes the view.
func (w *SearchWordsWorker) Work(ctx context.Context, _ *river.Job[SearchWordsArgs]) error {
	return w.Store.SearchWordsRefresh(ctx)
}

// SearchWordsEvery is how often the search words follow the product names.
const SearchWordsEvery = 10 * time.Minute

// PeriodicJobs are curation's periodic jobs, for the app's job runner.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(SearchWordsEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SearchWordsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "curation_search_words", RunOnStart: true}),
	}
}
