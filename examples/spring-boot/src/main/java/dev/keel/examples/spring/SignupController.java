package dev.keel.examples.spring;

import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /signup {"email": ...}}: 201 with the welcome job's id, 409 if already signed up. */
@RestController
public class SignupController {
  private final SignupService signups;

  public SignupController(SignupService signups) {
    this.signups = signups;
  }

  public record SignupRequest(String email) {}

  @PostMapping("/signup")
  public ResponseEntity<Map<String, Object>> signUp(@RequestBody SignupRequest request) {
    if (request == null || request.email() == null || !request.email().contains("@")) {
      return ResponseEntity.badRequest()
          .body(Map.of("field", "email", "error", "must be an e-mail address"));
    }
    try {
      UUID job = signups.signUp(request.email());
      return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("welcomeJob", job.toString()));
    } catch (DuplicateKeyException e) {
      return ResponseEntity.status(HttpStatus.CONFLICT)
          .body(Map.of("field", "email", "error", "is already signed up"));
    }
  }
}
