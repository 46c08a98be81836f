package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFiles;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.UpdateMap;

/**
 * The network, its training data and its update map, as the analysis commands (jacobian,
 * spectrum, lyapunov) rebuild them from a training run or from options.
 *
 * @param arch the network (widths, activation)
 * @param data MNIST with the first k training images
 * @param net the loss on those images ({@link Architecture#objective} chooses its class)
 * @param map the gradient-descent step and its Jacobian
 */
record Model(Architecture arch, Mnist data, Classifier net, UpdateMap map) {

  /** The heap a command needs beyond the model, from k and the architecture. */
  @FunctionalInterface
  interface Extra {
    long bytes(int k, Architecture arch);
  }

  /**
   * The heap a command needs beyond the model; {@code what} and {@code lower} say in an error
   * what needs it and which options lower it; {@code warmDirections} is the directions of the
   * Hessian products that are all its work, for the JIT warm-up while the data loads (0: other
   * work, see {@link JitWarmup#start(Architecture, int)}).
   */
  record Needs(String what, String lower, Extra extraBytes, int warmDirections) {
    /** A command whose work is not Hessian products alone. */
    Needs(String what, String lower, Extra extraBytes) {
      this(what, lower, extraBytes, 0);
    }

    /** A command that needs nothing beyond the model. */
    static Needs modelOnly(String what) {
      return new Needs(what, "--k", (k, arch) -> 0L);
    }
  }

  /**
   * The MNIST net {@code arch} with step {@code lr} on the first {@code k} images, after
   * checking that the heap holds it and {@code needs}.
   */
  static Model load(DataOptions dataOptions, Path runDataFolder, int k, Architecture arch,
      double lr, Needs needs, PrintWriter log) throws IOException, InterruptedException {
    MemoryCheck.require(MemoryCheck.model(k, arch.hidden()) + needs.extraBytes().bytes(k, arch),
        needs.what() + " of the " + arch.describe() + " net on " + k + " images", needs.lower());
    Path folder =
        dataOptions.data == null && runDataFolder != null && MnistFiles.presentIn(runDataFolder)
            ? runDataFolder
            : dataOptions.folder(false, log);
    Mnist mnist;
    Classifier net;
    try (JitWarmup warmup = JitWarmup.start(arch, needs.warmDirections())) {
      mnist = Mnist.load(folder, k);
      net = arch.objective(lr, mnist.train());
      // the products' data structures are built beside the warm-up, not in the command's work
      net.prepareCurvatureProducts(needs.warmDirections());
    }
    return new Model(arch, mnist, net, Architecture.map(net, lr));
  }

  /** The model of a completed training run, on the run's data (or {@code --data}). */
  static Model forRun(RunDir run, TrainConfig config, Integer k, Double lr, DataOptions data,
      Needs needs, PrintWriter log) throws IOException, InterruptedException {
    return load(data, run.dataFolder(), k != null ? k : config.k(), config.architecture(),
        lr != null ? lr : config.lr(), needs, log);
  }

  /** P. */
  int parameters() {
    return map.dimension();
  }

  /** The hidden width of a 784-H-10 net with {@code p} parameters, or -1 if there is none. */
  static int hiddenFor(long p) {
    Integer h = Architecture.oneLayerWidthFor(p);
    return h == null ? -1 : h;
  }
}
