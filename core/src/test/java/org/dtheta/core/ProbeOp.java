package org.dtheta.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test op: the identity, which counts its forward and first-order reverse calls and can hold
 * one chosen thread inside its forward rule until released (to keep a tape busy on purpose).
 */
final class ProbeOp extends Op {

  final AtomicInteger forwardCalls = new AtomicInteger();
  final AtomicInteger vjpCalls = new AtomicInteger();
  private volatile Thread holdThread;
  private volatile CountDownLatch entered;
  private volatile CountDownLatch release;
  private volatile long holdSeconds;

  private ProbeOp(Var out, Var x) {
    super(out, x);
  }

  /** Records {@code probe(x) = x} on {@code x}'s tape. */
  static ProbeOp on(Var x) {
    Tape t = x.tape;
    ProbeOp op = new ProbeOp(t.newNode(x.rows, x.cols, x.active), x);
    t.record(op);
    return op;
  }

  /** The op's output. */
  Var out() {
    return out;
  }

  /**
   * The next forward call made by {@code thread} counts {@code entered} down and then waits
   * for {@code release} (at most a minute).
   */
  void holdNextForward(Thread thread, CountDownLatch entered, CountDownLatch release) {
    holdNextForward(thread, entered, release, 60);
  }

  /** {@link #holdNextForward(Thread, CountDownLatch, CountDownLatch)}, waiting at most so long. */
  void holdNextForward(Thread thread, CountDownLatch entered, CountDownLatch release,
      long seconds) {
    this.entered = entered;
    this.release = release;
    this.holdSeconds = seconds;
    this.holdThread = thread;
  }

  private Var x() {
    return inputs()[0];
  }

  @Override
  String name() {
    return "probe";
  }

  @Override
  void forward() {
    forwardCalls.incrementAndGet();
    if (holdThread == Thread.currentThread()) {
      holdThread = null;
      entered.countDown();
      try {
        if (!release.await(holdSeconds, TimeUnit.SECONDS)) {
          throw new AssertionError("probe was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    System.arraycopy(x().value, 0, out.value, 0, out.size());
  }

  @Override
  void jvp(int m) {
    System.arraycopy(x().tangent, 0, out.tangent, 0, out.size() * m);
  }

  @Override
  void vjp() {
    vjpCalls.incrementAndGet();
    double[] a = x().adjoint;
    for (int i = 0; i < out.size(); i++) {
      a[i] += out.adjoint[i];
    }
  }

  @Override
  void vjpTangent(int m) {
    double[] a = x().adjointTangent;
    for (int i = 0; i < out.size() * m; i++) {
      a[i] += out.adjointTangent[i];
    }
  }
}
