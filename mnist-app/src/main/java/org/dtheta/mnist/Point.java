package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.dtheta.nn.Activation;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyFormatException;

/**
 * A point theta at which to analyse the update map, with the model it belongs to: a saved step
 * of a training run, or a parameter file.
 *
 * @param theta the parameters
 * @param model the network, data and update map
 * @param label how to name the point in messages and plots
 */
record Point(double[] theta, Model model, String label) {

  /**
   * From {@code runDir} at {@code step}, or else from {@code thetaFile}; {@code k}, {@code
   * hidden}, {@code activation}, {@code lr} override the run's values (null: the run's, or
   * 60000, inferred for one hidden layer, sigmoid, 0.1). A parameter file of a deeper net needs
   * {@code hidden}.
   */
  static Point resolve(Path runDir, int step, Path thetaFile, Integer k, List<Integer> hidden,
      Activation activation, Double lr, DataOptions data, Model.Needs needs, PrintWriter log)
      throws IOException, InterruptedException {
    if (runDir != null) {
      RunDir run = new RunDir(runDir);
      TrainConfig config = run.config();
      Architecture arch = config.architecture();
      if (hidden != null && !hidden.equals(arch.hidden())) {
        throw new IllegalArgumentException("--hidden " + join(hidden) + " differs from the run's "
            + arch.hiddenText() + " (" + run.runJson() + ")");
      }
      if (activation != null && activation != arch.activation()) {
        throw new IllegalArgumentException("--activation " + activation.name().toLowerCase()
            + " differs from the run's " + arch.activationName() + " (" + run.runJson() + ")");
      }
      double[] theta = run.theta(config, step);
      Model model = Model.forRun(run, config, k, lr, data, needs, log);
      return new Point(theta, model, "step " + step + " of " + runDir);
    }
    double[] theta = Npy.readVector(thetaFile, -1, "--theta (parameters of the network)");
    Architecture arch;
    if (hidden != null) {
      arch = new Architecture(hidden, activation);
      if (theta.length != arch.parameters()) {
        throw new NpyFormatException(thetaFile, theta.length + " parameters are not the "
            + arch.parameters() + " of the " + arch.describe() + " network of --hidden "
            + arch.hiddenText());
      }
    } else {
      Integer inferred = Architecture.oneLayerWidthFor(theta.length);
      if (inferred == null) {
        throw new NpyFormatException(thetaFile, theta.length + " parameters fit no 784-H-10"
            + " network (P = 795*H + 10); for a deeper network give its widths with --hidden"
            + " (e.g. --hidden 32,16) and its --activation");
      }
      arch = new Architecture(List.of(inferred), activation);
    }
    Model model = Model.load(data, null, k != null ? k : 60000, arch, lr != null ? lr : 0.1,
        needs, log);
    return new Point(theta, model, thetaFile.getFileName().toString());
  }

  private static String join(List<Integer> widths) {
    return String.join(",", widths.stream().map(String::valueOf).toList());
  }
}
