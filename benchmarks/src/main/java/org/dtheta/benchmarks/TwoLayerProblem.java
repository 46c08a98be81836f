package org.dtheta.benchmarks;

import java.util.Random;
import org.dtheta.core.Ops;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.Parallel;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A two-layer-network-shaped function built directly with core {@link Ops}: the mean softmax
 * cross-entropy of {@code sigmoid(X W1 + b1) W2 + b2} on {@code k} samples, 784-50-10, with X
 * uniform in [0, 1) at 19% nonzeros (like MNIST) and one-hot targets. Shared state of the
 * gradient and Hessian benchmarks.
 */
@State(Scope.Benchmark)
public class TwoLayerProblem {

  /** Inputs, hidden units, outputs. */
  static final int INPUTS = 784;
  static final int HIDDEN = 50;
  static final int OUTPUTS = 10;

  /** Samples: 60000 is MNIST's training set; use a small value for quick runs. */
  @Param({"60000"})
  public int k;

  Tape tape;
  Var loss;
  double[] theta;
  double[] gradient;

  /** Builds the tape and a random parameter point (scaled like a standard initialisation). */
  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(7);
    double[] x = new double[Math.multiplyExact(k, INPUTS)];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.19 ? rnd.nextDouble() : 0.0;
    }
    double[] targets = new double[k * OUTPUTS];
    for (int i = 0; i < k; i++) {
      targets[i * OUTPUTS + rnd.nextInt(OUTPUTS)] = 1.0;
    }
    tape = new Tape();
    Var xv = tape.constant(x, k, INPUTS);
    Var tv = tape.constant(targets, k, OUTPUTS);
    Var w1 = tape.variable(INPUTS, HIDDEN);
    Var b1 = tape.variable(1, HIDDEN);
    Var w2 = tape.variable(HIDDEN, OUTPUTS);
    Var b2 = tape.variable(1, OUTPUTS);
    Var z1 = Ops.sigmoid(Ops.addRowBroadcast(Ops.matmul(xv, w1), b1));
    loss = Ops.softmaxCrossEntropy(Ops.addRowBroadcast(Ops.matmul(z1, w2), b2), tv);
    theta = new double[tape.parameterCount()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = rnd.nextGaussian() * 0.05;
    }
    gradient = new double[theta.length];
    System.out.println("# kernels: " + Kernels.implementation().name() + ", threads: "
        + Parallel.threads() + ", parameters: " + theta.length);
  }

  /** Random directions, {@code P x m} row-major. */
  double[] directions(int m, long seed) {
    Random rnd = new Random(seed);
    double[] v = new double[Math.multiplyExact(theta.length, m)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextGaussian();
    }
    return v;
  }
}
