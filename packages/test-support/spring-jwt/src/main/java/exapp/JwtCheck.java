package exapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Decodes access tokens as a Spring resource server (Valtimo) does: a decoder from the issuer
 * location (discovery, then the JWKS), the default validators (signature, expiry, issuer) and an
 * audience validator for the resource server's client id. Reads a JSON array of {name, token,
 * audience, client} on stdin; writes one result per token: accepted with the claims Valtimo reads
 * (sub, azp, aud and the authorities from realm_access.roles and resource_access.<client>.roles), or
 * refused with the decoder's reason.
 */
public final class JwtCheck {
  public static void main(String[] args) throws Exception {
    String issuer = args[0];
    ObjectMapper json = new ObjectMapper();
    JsonNode checks = json.readTree(System.in);
    Map<String, NimbusJwtDecoder> decoders = new HashMap<>();
    ArrayNode results = json.createArrayNode();
    for (JsonNode check : checks) {
      String audience = check.get("audience").asText();
      NimbusJwtDecoder decoder = decoders.computeIfAbsent(audience, a -> decoderFor(issuer, a));
      ObjectNode result = results.addObject();
      result.put("name", check.get("name").asText());
      try {
        Jwt jwt = decoder.decode(check.get("token").asText());
        result.put("accepted", true);
        result.put("sub", jwt.getSubject());
        result.put("azp", jwt.getClaimAsString("azp"));
        result.set("aud", json.valueToTree(jwt.getAudience()));
        result.set("authorities", json.valueToTree(authorities(jwt, check.path("client").asText(audience))));
      } catch (JwtException e) {
        result.put("accepted", false);
        result.put("error", e.getMessage());
      }
    }
    json.writeValue(System.out, results);
  }

  private static NimbusJwtDecoder decoderFor(String issuer, String audience) {
    NimbusJwtDecoder decoder = (NimbusJwtDecoder) JwtDecoders.fromIssuerLocation(issuer);
    JwtClaimValidator<List<String>> audienceValidator =
        new JwtClaimValidator<>("aud", aud -> aud != null && aud.contains(audience));
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer), audienceValidator));
    return decoder;
  }

  /** ROLE_-prefixed as Spring's authorities are: realm roles, then the client's own roles. */
  private static List<String> authorities(Jwt jwt, String client) {
    List<String> out = new ArrayList<>();
    Map<String, Object> realm = jwt.getClaimAsMap("realm_access");
    if (realm != null && realm.get("roles") instanceof Collection<?> roles)
      for (Object role : roles) out.add(prefixed(role.toString()));
    Map<String, Object> resources = jwt.getClaimAsMap("resource_access");
    if (resources != null && resources.get(client) instanceof Map<?, ?> own && own.get("roles") instanceof Collection<?> roles)
      for (Object role : roles) out.add(prefixed(role.toString()));
    return out;
  }

  private static String prefixed(String role) {
    return role.startsWith("ROLE_") ? role : "ROLE_" + role;
  }
}
