package org.nnc.frontend.check;

import java.util.Collection;

/** "did you mean `fc2`?": the closest known name by edit distance, when it is close enough to be a typo. */
final class Suggest {
    private Suggest() {}

    static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String k : known) {
            if (k.length() == 1 && !k.equalsIgnoreCase(name)) continue;
            int d = distance(name.toLowerCase(), k.toLowerCase());
            if (d < bestDist) {
                best = k;
                bestDist = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, (name.length() + 1) / 3));
        return best != null && bestDist <= allowed ? best : null;
    }

    /** " (did you mean `x`?)" or "". */
    static String hint(String name, Collection<String> known) {
        String c = closest(name, known);
        return c == null ? "" : "; did you mean `" + c + "`?";
    }

    /** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
