package org.dtheta.mnist;

import java.util.Arrays;
import java.util.Random;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.Curvature;

/**
 * Compiles the hot kernels while a command reads its data: the Vector API runs at its speed only
 * once C2 has compiled a kernel, and before that it is many times slower than scalar code. So
 * a background thread runs the architecture's own gradient and Hessian products on a few
 * random digit-like images ({@link Mnist#imageLike}: the sparse kernels take the paths real
 * images take) until the main thread is ready, and the work that follows starts
 * on compiled kernels. A command that knows its products ({@link #start(Architecture, int)})
 * warms those alone: the loading time is short, and rounds of products it never runs would
 * take it. The bits do not depend on how far compilation got (JitStageDeterminismTest).
 * {@code -Ddtheta.noWarmup=true} turns it off.
 */
final class JitWarmup implements AutoCloseable {

  /** Samples of the warm-up problem: enough for every kernel's main blocks, cheap per call. */
  private static final int SAMPLES = 256;
  /** Directions of the batched products it runs (every other round). */
  private static final int BATCH = 8;
  /** Calls at most: about what C2 needs to compile the kernels these calls reach. */
  private static final int ROUNDS = 400;

  private final Thread thread;
  private volatile boolean stop;

  private JitWarmup(Architecture arch, int directions) {
    thread = new Thread(() -> run(arch, directions), "dtheta-jit-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
  }

  /**
   * Starts warming up the kernels of {@code arch} for training and any product; {@link #close}
   * stops it.
   */
  static JitWarmup start(Architecture arch) {
    return start(arch, 0);
  }

  /**
   * Starts warming up the kernels of {@code arch} for a command whose work is Hessian products
   * with {@code directions} directions (1: single-direction products, more: batched sweeps of
   * that many, up to the net's directions per sweep), or, with 0, for training and any product;
   * {@link #close} stops it.
   */
  static JitWarmup start(Architecture arch, int directions) {
    if (directions < 0) {
      throw new IllegalArgumentException("warm-up directions must be >= 0, not " + directions);
    }
    JitWarmup w = new JitWarmup(arch, directions);
    if (!Boolean.getBoolean("dtheta.noWarmup")) {
      w.thread.start();
    }
    return w;
  }

  private void run(Architecture arch, int directions) {
    Random rnd = new Random(1);
    Classifier net =
        arch.objective(0.1, Mnist.imageLike(rnd, SAMPLES, Mnist.CLASSES));
    int p = net.dimension();
    double[] theta = new double[p];
    for (int i = 0; i < p; i++) {
      theta[i] = 0.05 * rnd.nextGaussian();
    }
    double[] gradient = new double[p];
    // one direction (the two-layer net's fused path) and a batch (the tape's batched sweeps)
    double[] v = new double[p * BATCH];
    double[] hv = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextGaussian();
    }
    double[] v1 = Arrays.copyOf(v, p);
    double[] hv1 = new double[p];
    if (directions > 0) {
      // the command's own sweep: a product's forward and reverse passes come with it
      int m = Math.min(directions, net.defaultDirectionsPerSweep());
      double[] vm = m == 1 ? v1 : Arrays.copyOf(v, p * m);
      for (int i = p * BATCH; i < vm.length; i++) {
        vm[i] = rnd.nextGaussian();
      }
      double[] hvm = new double[vm.length];
      for (int round = 0; round < ROUNDS && !stop; round++) {
        theta[round % p] += 1e-3;
        net.curvatureTimes(Curvature.HESSIAN, theta, vm, m, hvm);
      }
      return;
    }
    for (int round = 0; round < ROUNDS && !stop; round++) {
      theta[round % p] += 1e-3; // a new point every round: the sweeps run, not the caches
      net.lossAndGradient(theta, gradient);
      if (round % 2 == 0) {
        net.curvatureTimes(Curvature.HESSIAN, theta, v1, 1, hv1);
      } else {
        net.curvatureTimes(Curvature.HESSIAN, theta, v, BATCH, hv);
      }
    }
  }

  /** Stops the warm-up (the main work is about to use the cores) and waits for it. */
  @Override
  public void close() {
    stop = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
