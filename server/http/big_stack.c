/*
 * big_stack.c - a large stack per thread for request dispatch (big_stack.h):
 * a ucontext fiber, or under AddressSanitizer a companion thread.
 */
#include "big_stack.h"

#include <pthread.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define BIG_STACK_THREAD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_STACK_THREAD 1
#endif
#endif

static pthread_key_t stack_key;
static pthread_once_t stack_once = PTHREAD_ONCE_INIT;
static int stack_key_ok;

#ifndef BIG_STACK_THREAD

#include <sys/mman.h>
#include <ucontext.h>

#define GUARD_SIZE (64u * 1024)   /* unmapped-for-access pages below the stack */

/* The thread's fiber: its stack, and where each side resumes. */
struct fiber {
	ucontext_t caller;       /* the thread's own stack, while the fiber runs */
	ucontext_t self;         /* the fiber, while the caller runs */
	void *stack;             /* the mapping: guard pages, then the stack */
	void (*fn)(void *);
	void *arg;
};

/* The fiber's body: run the call handed over, switch back, and resume
 * here for the next one. It never returns: the fiber is dropped while it
 * waits at the switch, holding nothing. makecontext passes no pointer
 * portably, so the fiber finds itself through the thread-specific key. */
static void fiber_main(void)
{
	struct fiber *f = pthread_getspecific(stack_key);

	for (;;) {
		f->fn(f->arg);
		swapcontext(&f->self, &f->caller);
	}
}

static void fiber_free(void *arg)
{
	struct fiber *f = arg;

	munmap(f->stack, BIG_STACK_SIZE + GUARD_SIZE);
	free(f);
}

static void key_make(void)
{
	stack_key_ok = pthread_key_create(&stack_key, fiber_free) == 0;
}

static struct fiber *fiber_get(void)
{
	struct fiber *f;

	pthread_once(&stack_once, key_make);
	if (!stack_key_ok)
		return NULL;
	f = pthread_getspecific(stack_key);
	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	/* the whole stack is reserved, its pages backed only as they are
	 * touched; below it a guard page, so that an overflow faults instead
	 * of writing into whatever lies there */
	f->stack = mmap(NULL, BIG_STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (f->stack == MAP_FAILED)
		goto fail;
	if (mprotect(f->stack, GUARD_SIZE, PROT_NONE) != 0)
		goto fail_map;
	if (getcontext(&f->self) != 0)
		goto fail_map;
	f->self.uc_stack.ss_sp = (char *)f->stack + GUARD_SIZE;
	f->self.uc_stack.ss_size = BIG_STACK_SIZE;
	f->self.uc_link = NULL;
	makecontext(&f->self, fiber_main, 0);
	if (pthread_setspecific(stack_key, f) != 0)
		goto fail_map;
	return f;
fail_map:
	munmap(f->stack, BIG_STACK_SIZE + GUARD_SIZE);
fail:
	free(f);
	return NULL;
}

int big_stack_run(void (*fn)(void *), void *arg)
{
	struct fiber *f = fiber_get();

	if (!f)
		return -1;
	f->fn = fn;
	f->arg = arg;
	if (swapcontext(&f->caller, &f->self) != 0)
		return -1;
	return 0;
}

#else /* BIG_STACK_THREAD */

#include <semaphore.h>

struct companion {
	pthread_t thread;
	sem_t go, done;
	void (*fn)(void *);      /* the call handed over; NULL tells the companion to end */
	void *arg;
};

static void sem_wait_uninterrupted(sem_t *s)
{
	while (sem_wait(s) != 0)
		;   /* EINTR */
}

static void *companion_main(void *arg)
{
	struct companion *c = arg;

	for (;;) {
		sem_wait_uninterrupted(&c->go);
		if (!c->fn)
			return NULL;
		c->fn(c->arg);
		sem_post(&c->done);
	}
}

static void companion_stop(void *arg)
{
	struct companion *c = arg;

	c->fn = NULL;
	sem_post(&c->go);
	pthread_join(c->thread, NULL);
	sem_destroy(&c->go);
	sem_destroy(&c->done);
	free(c);
}

static void key_make(void)
{
	stack_key_ok = pthread_key_create(&stack_key, companion_stop) == 0;
}

static struct companion *companion_get(void)
{
	struct companion *c;
	pthread_attr_t attr;
	int ok;

	pthread_once(&stack_once, key_make);
	if (!stack_key_ok)
		return NULL;
	c = pthread_getspecific(stack_key);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (sem_init(&c->go, 0, 0) != 0)
		goto fail_go;
	if (sem_init(&c->done, 0, 0) != 0)
		goto fail_done;
	pthread_attr_init(&attr);
	ok = pthread_attr_setstacksize(&attr, BIG_STACK_SIZE) == 0 &&
	     pthread_create(&c->thread, &attr, companion_main, c) == 0;
	pthread_attr_destroy(&attr);
	if (!ok)
		goto fail_thread;
	if (pthread_setspecific(stack_key, c) != 0) {
		companion_stop(c);
		return NULL;
	}
	return c;
fail_thread:
	sem_destroy(&c->done);
fail_done:
	sem_destroy(&c->go);
fail_go:
	free(c);
	return NULL;
}

int big_stack_run(void (*fn)(void *), void *arg)
{
	struct companion *c = companion_get();

	if (!c)
		return -1;
	c->fn = fn;
	c->arg = arg;
	sem_post(&c->go);
	sem_wait_uninterrupted(&c->done);
	return 0;
}

#endif /* BIG_STACK_THREAD */
