package org.dtheta.mnist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.HessianPanels;
import org.dtheta.nn.Initializer;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.structured.StructuredHessianPanels;

/**
 * The network of a run: 784 inputs, the hidden widths {@code h1, ..., hL} ({@code --hidden
 * 32,16}), the hidden activation ({@code --activation}), 10 softmax outputs, cross-entropy.
 *
 * <p>The one place that chooses the objective ({@link #objective}): one hidden layer with
 * sigmoid is the MNIST preset's {@link TwoLayerNet} (its fast paths, its numbers, the
 * structured Jacobian); every other architecture is an {@link Mlp} (no L2, as the preset).
 *
 * @param hidden the hidden widths, at least one, each >= 1
 * @param activation the hidden activation
 */
record Architecture(List<Integer> hidden, Activation activation) {

  /** Checks the widths, naming {@code --hidden}. */
  Architecture {
    if (hidden == null || hidden.isEmpty()) {
      throw new IllegalArgumentException("--hidden needs at least one hidden width, e.g. 50 or 32,16");
    }
    for (Integer h : hidden) {
      if (h == null || h < 1) {
        throw new IllegalArgumentException("--hidden widths must be >= 1, not " + h + " in " + hidden);
      }
    }
    hidden = List.copyOf(hidden);
    if (activation == null) {
      activation = Activation.SIGMOID;
    }
  }

  /** Today's 784-H-10 sigmoid net. */
  static Architecture sigmoid(int hidden) {
    return new Architecture(List.of(hidden), Activation.SIGMOID);
  }

  /**
   * {@code "32,16"}: comma-separated widths >= 1; errors name {@code option} and say what is
   * wrong (empty, an empty entry, not a number, below 1).
   */
  static List<Integer> parseHidden(String text, String option) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(option + " wants hidden widths such as 50 or 32,16, not '"
          + (text == null ? "" : text) + "'");
    }
    List<Integer> widths = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String s = part.strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException(option + " " + text + ": an empty width; give widths"
            + " >= 1 separated by commas, such as 32,16");
      }
      int h;
      try {
        h = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " " + text + ": '" + s + "' is not a whole"
            + " number; give widths >= 1 separated by commas, such as 32,16", e);
      }
      if (h < 1) {
        throw new IllegalArgumentException(option + " " + text + ": widths must be >= 1, not " + h);
      }
      widths.add(h);
    }
    return widths;
  }

  /** The activation named {@code text} (sigmoid, tanh, relu; any case), naming {@code option}. */
  static Activation parseActivation(String text, String option) {
    if (text != null) {
      for (Activation a : Activation.values()) {
        if (a.name().equalsIgnoreCase(text.strip())) {
          return a;
        }
      }
    }
    throw new IllegalArgumentException(option + " must be sigmoid, tanh or relu, not '" + text + "'");
  }

  /** The widths {@code 784, h1, ..., hL, 10}. */
  int[] sizes() {
    int[] s = new int[hidden.size() + 2];
    s[0] = Mnist.PIXELS;
    for (int i = 0; i < hidden.size(); i++) {
      s[i + 1] = hidden.get(i);
    }
    s[s.length - 1] = Mnist.CLASSES;
    return s;
  }

  /** True for the two-layer sigmoid net ({@link TwoLayerNet}, structured Jacobian). */
  boolean twoLayer() {
    return hidden.size() == 1 && activation == Activation.SIGMOID;
  }

  /** Where the parameters sit: W1, b1, ..., W(L+1), b(L+1) (for one layer the same as today's). */
  Mlp.Layout layout() {
    return new Mlp.Layout(sizes());
  }

  /** P. */
  int parameters() {
    return layout().size();
  }

  /**
   * Rows per panel of a whole Df of this net when none are asked for: about 128 MB, in whole
   * pixels on the {@code structured} route (which then copies no rows).
   */
  int defaultPanelRows(boolean structured) {
    int p = parameters();
    long bytes = HessianPanels.DEFAULT_PANEL_BYTES;
    return structured ? StructuredHessianPanels.panelRows(hiddenSum(), p, bytes)
        : HessianPanels.panelRows(p, bytes);
  }

  /** {@code h1 + ... + hL}, what memory estimates grow with. */
  int hiddenSum() {
    return hidden.stream().mapToInt(Integer::intValue).sum();
  }

  /** The widths as the option takes them: {@code 32,16}. */
  String hiddenText() {
    return String.join(",", hidden.stream().map(String::valueOf).toList());
  }

  /** {@code 784-32-16-10 tanh} (no activation named for sigmoid, the default). */
  String describe() {
    StringBuilder b = new StringBuilder();
    for (int s : sizes()) {
      b.append(b.length() == 0 ? "" : "-").append(s);
    }
    return activation == Activation.SIGMOID ? b.toString()
        : b + " " + activation.name().toLowerCase(Locale.ROOT);
  }

  /** The activation as stored and as the option takes it: sigmoid, tanh, relu. */
  String activationName() {
    return activation.name().toLowerCase(Locale.ROOT);
  }

  /** The training loss on {@code train} at step {@code lr}: the one place the objective is chosen. */
  Classifier objective(double lr, Dataset train) {
    if (twoLayer()) {
      return new TwoLayerNet(TrainConfig.network(hidden.get(0), lr), train);
    }
    return new Mlp(sizes(), activation, 0.0, train);
  }

  /** The update map of {@code objective} (made by {@link #objective}) with step {@code lr}. */
  static UpdateMap map(Classifier objective, double lr) {
    return objective instanceof TwoLayerNet net ? new UpdateMap(net) : UpdateMap.of(objective, lr);
  }

  /**
   * Initial parameters: weights {@code ~ N(0, std^2)} drawn layer after layer (W1, W2, ...) from
   * one seeded stream, biases 0; for the two-layer net exactly {@link Initializer#gaussian}.
   */
  double[] initialTheta(long seed, double std, double lr) {
    if (twoLayer()) {
      return Initializer.gaussian(seed, std).initialize(TrainConfig.network(hidden.get(0), lr));
    }
    Mlp.Layout layout = layout();
    double[] theta = new double[layout.size()];
    Random random = new Random(seed);
    for (int l = 1; l <= layout.layers(); l++) {
      int start = layout.weightOffset(l);
      for (int i = 0; i < layout.weightLength(l); i++) {
        theta[start + i] = std * random.nextGaussian();
      }
    }
    return theta;
  }

  /** The widths of the one-hidden-layer net with {@code p} parameters, or null if there is none. */
  static Integer oneLayerWidthFor(long p) {
    long per = Mnist.PIXELS + 1 + Mnist.CLASSES;
    return p > Mnist.CLASSES && (p - Mnist.CLASSES) % per == 0
        ? Integer.valueOf((int) ((p - Mnist.CLASSES) / per)) : null;
  }

  @Override
  public String toString() {
    return describe() + " " + Arrays.toString(sizes());
  }
}
