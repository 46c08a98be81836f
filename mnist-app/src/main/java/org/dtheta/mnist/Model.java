package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.ToLongBiFunction;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFiles;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;

/**
 * The network, its training data and its update map, as the analysis commands (jacobian,
 * spectrum, lyapunov) rebuild them from a training run or from options.
 *
 * @param network the network config (width, learning rate)
 * @param data MNIST with the first k training images
 * @param net the loss on those images
 * @param map the gradient-descent step and its Jacobian
 */
record Model(NetworkConfig network, Mnist data, TwoLayerNet net, UpdateMap map) {

  /**
   * The heap a command needs beyond the model, from k and the hidden width; {@code what} and
   * {@code lower} say in an error what needs it and which options lower it.
   */
  record Needs(String what, String lower, ToLongBiFunction<Integer, Integer> extraBytes) {
    /** A command that needs nothing beyond the model. */
    static Needs modelOnly(String what) {
      return new Needs(what, "--k", (k, hidden) -> 0L);
    }
  }

  /**
   * The MNIST net of width {@code hidden} and step {@code lr} on the first {@code k} images,
   * after checking that the heap holds it and {@code needs}.
   */
  static Model load(DataOptions dataOptions, Path runDataFolder, int k, int hidden, double lr,
      Needs needs, PrintWriter log) throws IOException, InterruptedException {
    MemoryCheck.require(MemoryCheck.model(k, hidden) + needs.extraBytes().applyAsLong(k, hidden),
        needs.what() + " of the 784-" + hidden + "-10 net on " + k + " images", needs.lower());
    Path folder =
        dataOptions.data == null && runDataFolder != null && MnistFiles.presentIn(runDataFolder)
            ? runDataFolder
            : dataOptions.folder(false, log);
    Mnist mnist = Mnist.load(folder, k);
    NetworkConfig network = TrainConfig.network(hidden, lr);
    TwoLayerNet net = new TwoLayerNet(network, mnist.train());
    return new Model(network, mnist, net, new UpdateMap(net));
  }

  /** The model of a completed training run, on the run's data (or {@code --data}). */
  static Model forRun(RunDir run, TrainConfig config, Integer k, Double lr, DataOptions data,
      Needs needs, PrintWriter log) throws IOException, InterruptedException {
    return load(data, run.dataFolder(), k != null ? k : config.k(), config.hidden(),
        lr != null ? lr : config.lr(), needs, log);
  }

  /** P. */
  int parameters() {
    return network.layout().size();
  }

  /** The hidden width of a 784-H-10 net with {@code p} parameters, or -1 if there is none. */
  static int hiddenFor(long p) {
    // P = 784 H + H + 10 H + 10
    long per = Mnist.PIXELS + 1 + Mnist.CLASSES;
    return p > Mnist.CLASSES && (p - Mnist.CLASSES) % per == 0 ? (int) ((p - Mnist.CLASSES) / per) : -1;
  }
}
