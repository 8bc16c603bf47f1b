// Swift concurrency's hook for enqueueing a job on the global executor (swift/Runtime/Concurrency.h).
// Declared here so that maws-roles can set it directly: the runtime linked statically does not
// export it for dlsym, which is how swift-nio's own installer looks for it.
extern void *_Nullable swift_task_enqueueGlobal_hook;

static inline void *_Nullable maws_enqueue_hook(void) { return swift_task_enqueueGlobal_hook; }
static inline void maws_set_enqueue_hook(void *_Nullable hook) { swift_task_enqueueGlobal_hook = hook; }
