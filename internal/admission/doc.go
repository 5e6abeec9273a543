// Package admission is the tender's admission process for suppliers
// (SPEC §2 rule 8, §3): the application's Dutch facts, the state machine
// from application to production, and its lead times.
package admission
