/*
 * big_stack.h - run a function on a large stack from a thread whose own
 * stack is small. civetweb's worker threads have 100 KiB stacks (as
 * Debian builds it): too little for parsing deeply nested JSON or for a
 * sanitizer build, so every request is dispatched through here.
 *
 * Each calling thread gets, on its first call, a 16 MiB stack that it
 * keeps for its life and that is freed when the thread ends:
 *   - normally a fiber: the function runs on that stack in the calling
 *     thread itself (ucontext), so a request costs two context swaps in
 *     user space and no trip through the scheduler;
 *   - under AddressSanitizer, which follows stack switches only through
 *     annotations, a companion thread with that stack, to which the caller
 *     hands the call and waits (two semaphore hand-offs).
 * A thread per call (the first design) mapped and unmapped 16 MiB of
 * stack every time, which under load cost more kernel time than the
 * requests themselves.
 */
#ifndef MUSTER_BIG_STACK_H
#define MUSTER_BIG_STACK_H

#define BIG_STACK_SIZE (16u * 1024 * 1024)

/* Run fn(arg) on the calling thread's large stack and return when it has
 * returned. fn must not be running already on this thread (no nesting).
 * Returns 0, or -1 when the stack could not be set up (fn did not run). */
int big_stack_run(void (*fn)(void *), void *arg);

#endif
