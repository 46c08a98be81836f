package org.dtheta.mnist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.UpdateMap;

/**
 * A completed {@code dtheta train} run as code outside this module (the Spark jobs) reads it:
 * its config, saved thetas and the update map that {@code dtheta jacobian} builds for it. Only
 * a view: the run's files and checks stay {@link RunDir}'s and {@link TrainConfig}'s.
 */
public final class TrainedRun {

  private final RunDir run;
  private final TrainConfig config;

  private TrainedRun(RunDir run, TrainConfig config) {
    this.run = run;
    this.config = config;
  }

  /** The completed run in {@code dir}; a missing, unfinished or unreadable run names the file. */
  public static TrainedRun open(Path dir) throws IOException {
    RunDir run = new RunDir(dir);
    return new TrainedRun(run, run.config());
  }

  /**
   * Checks the options of a {@code dtheta train} run as {@code train} does, each error naming its
   * option ({@code --k}, {@code --hidden}, {@code --activation}, {@code --steps}, {@code --lr},
   * {@code --init-std}, {@code --save-every}); returns the network's P.
   */
  public static int checkTrainOptions(int k, String hidden, String activation, int steps, double lr,
      double initStd, int saveEvery) {
    return new TrainConfig(k, Architecture.parseHidden(hidden, "--hidden"), activation, steps, lr, 0,
        initStd, saveEvery, null, null).parameters();
  }

  /** Training images k of the loss. */
  public int k() {
    return config.k();
  }

  /** Gradient-descent steps T. */
  public int steps() {
    return config.steps();
  }

  /** Steps between saved thetas. */
  public int saveEvery() {
    return config.saveEvery();
  }

  /** The learning rate alpha. */
  public double lr() {
    return config.lr();
  }

  /** P. */
  public int parameters() {
    return config.parameters();
  }

  /** The network as {@code dtheta} describes it, e.g. {@code 784-8-10}. */
  public String architecture() {
    return config.architecture().describe();
  }

  /** The MNIST folder the run was trained on, as run.json records it (null if not recorded). */
  public Path dataFolder() throws IOException {
    return run.dataFolder();
  }

  /** Theta at a saved step; an unsaved step is an {@link IllegalArgumentException} listing them. */
  public double[] theta(int step) throws IOException {
    return run.theta(config, step);
  }

  /**
   * The update map of the run's network on the first k images of the MNIST files in {@code
   * dataFolder}: the one {@code dtheta jacobian --run} uses (same objective class, same alpha).
   */
  public UpdateMap updateMap(Path dataFolder) throws IOException {
    return updateMap(config, dataFolder);
  }

  /** The run's config as run.json holds it: what {@link #updateMap(String, Path)} takes elsewhere. */
  public String configJson() {
    return Json.GSON.toJson(config);
  }

  /**
   * {@link #updateMap(Path)} of the run whose {@link #configJson()} is {@code configJson}: for a
   * machine that does not see the run's folder (a Spark executor).
   */
  public static UpdateMap updateMap(String configJson, Path dataFolder) throws IOException {
    return updateMap(Json.GSON.fromJson(configJson, TrainConfig.class), dataFolder);
  }

  private static UpdateMap updateMap(TrainConfig config, Path dataFolder) throws IOException {
    Architecture arch = config.architecture();
    Mnist mnist = Mnist.load(dataFolder, config.k());
    Classifier net = arch.objective(config.lr(), mnist.train());
    return Architecture.map(net, config.lr());
  }

  /**
   * How {@code dtheta jacobian} computes this run's whole Df by default: structured for the
   * 784-H-10 sigmoid net, Hessian-vector products otherwise (what the map's fastestMethod says).
   */
  public JacobianMethod jacobianMethod() {
    return config.architecture().twoLayer() ? JacobianMethod.STRUCTURED : JacobianMethod.HVP;
  }

  /**
   * Rows per panel of this run's whole Df when none are asked for, as {@code dtheta jacobian}
   * takes them by default.
   */
  public int defaultPanelRows() {
    return config.architecture().defaultPanelRows(jacobianMethod() == JacobianMethod.STRUCTURED);
  }

  /**
   * Where each parameter block sits in theta (and so in the rows and columns of Df): name,
   * offset, length and shape of W1, b1, ..., W(L+1), b(L+1), in order.
   */
  public List<Map<String, Object>> layout() {
    Mlp.Layout layout = config.architecture().layout();
    List<Map<String, Object>> blocks = new ArrayList<>();
    for (int l = 1; l <= layout.layers(); l++) {
      blocks.add(block("W" + l, layout.weightOffset(l), layout.weightLength(l),
          List.of(layout.inputs(l), layout.outputs(l))));
      blocks.add(block("b" + l, layout.biasOffset(l), layout.biasLength(l),
          List.of(layout.outputs(l))));
    }
    return blocks;
  }

  private static Map<String, Object> block(String name, int offset, int length, List<Integer> shape) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("offset", offset);
    m.put("length", length);
    m.put("shape", shape);
    return m;
  }
}
