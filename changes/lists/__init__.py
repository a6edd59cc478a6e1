"""The change list as a team uses it every day (issue 12 §5): sortable columns (changes.filters'
`sort`, shared with the API), saved filters per person, the current filter as CSV (streamed), and
bulk reschedule and cancel through changes.services, each change checked and each refusal reported.

The package has the file set of an app; its one model keeps the `changes` app label (registered by
changes/models.py), so its migration is the changes app's."""
