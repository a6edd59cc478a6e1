"""Policy as a pack (issue 11 §9), the doors above the kernel: the administrators' page, the API and
what a policy edit or an imported pack would do to open changes (the dry run), which needs the changes'
gate and approval functions and so lives here, not in the kernel (changemgmt.policy_pack)."""
