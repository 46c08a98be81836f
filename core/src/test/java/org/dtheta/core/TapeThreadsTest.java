package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tape used from two threads at once fails at once with an {@link IllegalStateException},
 * never with a wrong number; one thread may nest calls.
 */
class TapeThreadsTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "tape-test-" + THREAD_NUMBER.incrementAndGet());
    t.setDaemon(true);
    return t;
  });
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  @AfterEach
  void shutDown() {
    pool.shutdownNow();
  }

  /** A small net: tanh(X W) V, softmax cross-entropy, with a probe after X W. */
  private static final class Net {
    final Tape tape = new Tape();
    final ProbeOp probe;
    final Var loss;

    Net(Random rnd) {
      Var x = tape.constant(TestVectors.gaussian(rnd, 40 * 20), 40, 20);
      Var w = tape.variable(20, 10);
      probe = ProbeOp.on(Ops.matmul(x, w));
      Var v = tape.variable(10, 3);
      double[] targets = new double[40 * 3];
      for (int i = 0; i < 40; i++) {
        targets[i * 3 + i % 3] = 1.0;
      }
      loss = Ops.softmaxCrossEntropy(Ops.matmul(Ops.tanh(probe.out()), v),
          tape.constant(targets, 40, 3));
    }
  }

  @Test
  void aSecondThreadFailsAtOnceWhileTheTapeIsBusyAndTheFirstGetsTheExactResult()
      throws Exception {
    Random rnd = new Random(1);
    Net net = new Net(rnd);
    int p = net.tape.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p);
    double[] expectedGradient = new double[p];
    double expectedValue = Gradients.valueAndGradient(net.loss, theta, expectedGradient);
    HessianOperator op = Hessians.at(net.loss, theta);
    for (int round = 0; round < 5; round++) {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      double[] gradient = new double[p];
      Future<Double> busy = pool.submit(() -> {
        net.probe.holdNextForward(Thread.currentThread(), entered, release);
        return Gradients.valueAndGradient(net.loss, theta, gradient);
      });
      assertTrue(entered.await(60, TimeUnit.SECONDS), "the first thread never got busy");
      List<Runnable> calls = List.of(
          () -> Gradients.valueAndGradient(net.loss, theta, new double[p]),
          () -> Gradients.gradient(net.loss, theta),
          () -> Hessians.hessianVectorProduct(net.loss, theta, v, null, new double[p]),
          () -> Hessians.at(net.loss, theta),
          () -> op.times(v, new double[p]),
          () -> Jacobians.jacobian(net.probe.out(), theta),
          () -> net.tape.setVariables(theta),
          () -> net.tape.forward(),
          () -> net.tape.reverse(net.loss, null),
          () -> net.tape.setTangents(v, 1),
          () -> net.tape.getAdjoints(new double[p]),
          () -> net.tape.use(),
          () -> Ops.square(net.loss));
      for (Runnable call : calls) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
        assertTrue(e.getMessage().startsWith("tape is in use by thread \"tape-test-"),
            e.getMessage());
        assertTrue(e.getMessage().contains("record one tape per thread"), e.getMessage());
      }
      release.countDown();
      assertEquals(Double.doubleToLongBits(expectedValue),
          Double.doubleToLongBits(busy.get(60, TimeUnit.SECONDS)));
      assertBits(expectedGradient, gradient);
    }
  }

  @Test
  void twoThreadsHammeringOneTapeGetExactResultsOrTheException() throws Exception {
    Random rnd = new Random(2);
    Net net = new Net(rnd);
    int p = net.tape.parameterCount();
    double[] thetaA = TestVectors.gaussian(rnd, p);
    double[] thetaB = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p);
    double[] gradientA = new double[p];
    double valueA = Gradients.valueAndGradient(net.loss, thetaA, gradientA);
    double[] gradientB = new double[p];
    double[] hvB = new double[p];
    double valueB = Hessians.hessianVectorProduct(net.loss, thetaB, v, gradientB, hvB);
    double[] jvA = new double[net.probe.out().size()];
    Gradients.jacobianVectorProduct(net.probe.out(), thetaA, v, jvA);

    int iterations = 1500;
    int holdEvery = 100;
    CyclicBarrier start = new CyclicBarrier(2);
    AtomicInteger refused = new AtomicInteger();
    // Free-running calls overlap by chance; so that the test sees refusals for sure, every
    // holdEvery-th call of the first thread holds the tape inside its forward sweep until the
    // second thread has been refused once.
    AtomicReference<CountDownLatch> pendingHold = new AtomicReference<>();
    AtomicInteger firstDone = new AtomicInteger();
    Callable<List<String>> first = () -> {
      List<String> wrong = new ArrayList<>();
      start.await();
      double[] g = new double[p];
      double[] jv = new double[jvA.length];
      for (int i = 0; i < iterations; i++) {
        if (i % holdEvery == 0) {
          CountDownLatch release = new CountDownLatch(1);
          pendingHold.set(release);
          net.probe.holdNextForward(Thread.currentThread(), new CountDownLatch(1), release, 10);
        }
        try {
          if (i % 3 == 2) {
            Gradients.jacobianVectorProduct(net.probe.out(), thetaA, v, jv);
            if (!sameBits(jvA, jv)) {
              wrong.add("jvp at A, call " + i);
            }
          } else {
            double value = Gradients.valueAndGradient(net.loss, thetaA, g);
            if (!sameBits(valueA, value) || !sameBits(gradientA, g)) {
              wrong.add("gradient at A, call " + i);
            }
          }
        } catch (IllegalStateException e) {
          refused.incrementAndGet();
        }
      }
      firstDone.set(1);
      return wrong;
    };
    Callable<List<String>> second = () -> {
      List<String> wrong = new ArrayList<>();
      start.await();
      double[] g = new double[p];
      double[] hv = new double[p];
      // at least as many calls as the first thread, and on until it is done
      for (int i = 0; i < iterations || firstDone.get() == 0; i++) {
        try {
          double value = Hessians.hessianVectorProduct(net.loss, thetaB, v, g, hv);
          if (!sameBits(valueB, value) || !sameBits(gradientB, g) || !sameBits(hvB, hv)) {
            wrong.add("hvp at B, call " + i);
          }
        } catch (IllegalStateException e) {
          refused.incrementAndGet();
          CountDownLatch release = pendingHold.getAndSet(null);
          if (release != null) {
            release.countDown();
          }
        }
      }
      return wrong;
    };
    Future<List<String>> a = pool.submit(first);
    Future<List<String>> b = pool.submit(second);
    List<String> wrong = new ArrayList<>(a.get(120, TimeUnit.SECONDS));
    wrong.addAll(b.get(120, TimeUnit.SECONDS));
    assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())),
        wrong.size() + " calls returned wrong numbers (" + refused + " refused)");
    assertTrue(refused.get() >= iterations / holdEvery,
        "only " + refused + " calls were refused");
    // with the tape free again, one thread gets the exact numbers
    double[] g = new double[p];
    assertEquals(valueA, Gradients.valueAndGradient(net.loss, thetaA, g));
    assertBits(gradientA, g);
  }

  @Test
  void oneThreadNestsCallsAndTheTapeIsFreedAfterwardsEvenAfterAnException() throws Exception {
    Random rnd = new Random(3);
    Net net = new Net(rnd);
    int p = net.tape.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] expected = Gradients.gradient(net.loss, theta);
    try (Tape.Use outer = net.tape.use()) {
      try (Tape.Use inner = net.tape.use()) {
        net.tape.setVariables(theta);
        net.tape.forward();
      }
      // still held by this thread: another one is refused
      assertThrows(IllegalStateException.class,
          () -> rethrow(pool.submit(() -> net.tape.forward())));
      assertBits(expected, Gradients.gradient(net.loss, theta));
    }
    // free again: another thread may use it now
    assertBits(expected, pool.submit(() -> Gradients.gradient(net.loss, theta)).get());
    // an exception inside a call releases the tape too
    assertThrows(IllegalArgumentException.class,
        () -> net.tape.reverse(net.loss, new double[7]));
    net.tape.setDebug(true);
    double[] bad = theta.clone();
    bad[0] = Double.NaN;
    assertThrows(NonFiniteValueException.class, () -> Gradients.gradient(net.loss, bad));
    net.tape.setDebug(false);
    assertBits(expected, pool.submit(() -> Gradients.gradient(net.loss, theta)).get());
  }

  @Test
  void aUseIsClosedByItsOwnThreadOnly() throws Exception {
    Tape t = new Tape();
    t.variable(1, 1);
    Tape.Use use = t.use();
    assertThrows(IllegalStateException.class, () -> rethrow(pool.submit(use::close)));
    use.close();
    use.close(); // twice: nothing
    pool.submit(() -> t.setVariables(new double[1])).get();
  }

  private static void rethrow(Future<?> f) throws Throwable {
    try {
      f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  static boolean sameBits(double a, double b) {
    return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
  }

  static boolean sameBits(double[] a, double[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (!sameBits(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }

  static void assertBits(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length, "length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
          "entry " + i + ": expected " + expected[i] + ", got " + actual[i]);
    }
  }
}
