// Each test starts its own lab, which trains on the CPU: one at a time, so two trainings never share the cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
