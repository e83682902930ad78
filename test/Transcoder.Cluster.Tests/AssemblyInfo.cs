// Fault tests start several silo processes each and some restart the stack's Postgres or Redis: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
