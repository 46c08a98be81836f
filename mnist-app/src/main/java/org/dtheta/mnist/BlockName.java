package org.dtheta.mnist;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dtheta.nn.Mlp;

/**
 * A parameter block by name, {@code W<l>} or {@code b<l>} (any case): the weights or the bias
 * of layer {@code l} of {@link Mlp.Layout} (W1, b1, W2, b2 for one hidden layer; up to
 * W(L+1), b(L+1) for L hidden layers).
 *
 * @param weights true for {@code Wl}, false for {@code bl}
 * @param layer l, 1-based
 */
record BlockName(boolean weights, int layer) {

  private static final Pattern NAME = Pattern.compile("([WwBb])([1-9][0-9]{0,8})");

  /** Parses one name; the error says what names look like. */
  static BlockName parse(String name) {
    Matcher m = NAME.matcher(name.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("unknown parameter block '" + name.strip()
          + "': expected W1, b1, W2 or b2 (W<l> or b<l> up to the output layer in deeper nets)");
    }
    return new BlockName(m.group(1).equalsIgnoreCase("W"), Integer.parseInt(m.group(2)));
  }

  /** {@code R,C}: two block names, e.g. {@code W2,b2}; {@code option} names it in errors. */
  static BlockName[] parsePair(String text, String option) {
    String[] names = text.split(",", -1);
    if (names.length != 2) {
      throw new IllegalArgumentException(option + " wants two block names R,C among W1, b1, W2, b2"
          + " (W3, b3, ... in deeper nets; e.g. W2,b2), not '" + text + "'");
    }
    try {
      return new BlockName[] {parse(names[0]), parse(names[1])};
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + text + ": " + e.getMessage(), e);
    }
  }

  /** Checks both blocks of {@code pair} against {@code arch}, naming {@code option}. */
  static void require(BlockName[] pair, Architecture arch, String option, String text) {
    int layers = arch.layout().layers();
    for (BlockName b : pair) {
      if (b.layer > layers) {
        String names = layers == 2 ? "W1, b1, W2 or b2"
            : "W1, b1, ..., W" + layers + ", b" + layers;
        throw new IllegalArgumentException(option + " " + text + ": unknown parameter block '"
            + b.label() + "' of the " + arch.describe() + " net: expected " + names);
      }
    }
  }

  /** W1, b1, ... as written on the command line. */
  String label() {
    return (weights ? "W" : "b") + layer;
  }

  /** Where the block starts in theta. */
  int offset(Mlp.Layout layout) {
    return weights ? layout.weightOffset(layer) : layout.biasOffset(layer);
  }

  /** The block's length. */
  int length(Mlp.Layout layout) {
    return weights ? layout.weightLength(layer) : layout.biasLength(layer);
  }
}
